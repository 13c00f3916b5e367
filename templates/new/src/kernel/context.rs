//! The context of one request, passed explicitly to every use case and repository (never a
//! global), so that authentication and multi-tenancy extend this value, not the signatures.

/// Who is asking, on behalf of which request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    /// The request id (`x-request-id`); written into the headers of outbox messages.
    pub request_id: Option<String>,
    /// The authenticated caller.
    pub caller: Caller,
}

/// The caller of a request. Services without authentication see every caller as anonymous.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Caller {
    #[default]
    Anonymous,
}
