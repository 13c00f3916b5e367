//! Everything that can stop a `dlq` command. Each variant says what went wrong, where, and
//! (in its `help`) what to do next. All of them exit 2.

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum DlqError {
    #[error("`axiomod dlq` does not support {engine} databases ({location})")]
    #[diagnostic(
        code(dlq::engine),
        help(
            "generated services keep their outbox in PostgreSQL or SQLite: pass a postgres:// or sqlite:// URL"
        )
    )]
    UnsupportedEngine {
        engine: &'static str,
        location: String,
    },

    #[error("cannot connect to {engine} at {location}: {message}")]
    #[diagnostic(
        code(dlq::connect),
        help(
            "check that the database server is running and that the URL (host, port, user, database name) is right"
        )
    )]
    Connect {
        engine: &'static str,
        location: String,
        message: String,
    },

    #[error("{location} has no `axiomod_dead_letters` table")]
    #[diagnostic(
        code(dlq::no_tables),
        help(
            "point --database-url at the service's database, or create the outbox tables with `axiomod migrate up` in the service's directory"
        )
    )]
    MissingTables { location: String },

    #[error("database error while {doing} on {location}: {message}")]
    #[diagnostic(code(dlq::database))]
    Database {
        doing: &'static str,
        location: String,
        message: String,
    },

    #[error("no dead letter with id {id} in {location}{}", if *in_outbox { " (it is in the outbox: replayed, or never dead-lettered)" } else { "" })]
    #[diagnostic(
        code(dlq::unknown_id),
        help("list the dead letters with `axiomod dlq list`")
    )]
    UnknownId {
        id: String,
        location: String,
        in_outbox: bool,
    },

    #[error("{} of the given ids are not dead letters in {location}: {}", ids.len(), ids.join(", "))]
    #[diagnostic(
        code(dlq::unknown_ids),
        help(
            "nothing was changed; drop those ids (see `axiomod dlq list`) and run the command again"
        )
    )]
    UnknownIds { ids: Vec<String>, location: String },

    #[error("another dlq job is running on {location}: {running}")]
    #[diagnostic(
        code(dlq::busy),
        help("wait for it to finish; only one replay or purge runs per database at a time")
    )]
    JobRunning { location: String, running: String },

    #[error("job {job} interrupted after {processed} of {matched} dead letters")]
    #[diagnostic(
        code(dlq::interrupted),
        help(
            "every batch that committed is done and the rest are still dead letters: run the same command again to continue"
        )
    )]
    Interrupted {
        job: String,
        processed: u64,
        matched: u64,
    },

    #[error("cannot listen for Ctrl-C: {message}")]
    #[diagnostic(code(dlq::signal))]
    Signal { message: String },

    #[error("cannot connect to RabbitMQ at {location}: {message}")]
    #[diagnostic(
        code(dlq::broker_connect),
        help(
            "check that the broker is running and that --broker-url (or BROKER_URL) is right, e.g. amqp://guest:guest@localhost:5672/%2f"
        )
    )]
    BrokerConnect { location: String, message: String },

    #[error("RabbitMQ error while {doing} `{queue}` at {location}: {message}")]
    #[diagnostic(
        code(dlq::broker),
        help(
            "check the queue name (it must exist: axiomod does not declare it) and the user's permissions"
        )
    )]
    Broker {
        doing: &'static str,
        queue: String,
        location: String,
        message: String,
    },

    #[error("cannot connect to NATS at {location}: {message}")]
    #[diagnostic(
        code(dlq::nats_connect),
        help(
            "check that the NATS server is running with JetStream and that --broker-url (or BROKER_URL) is right, e.g. nats://127.0.0.1:4222"
        )
    )]
    NatsConnect { location: String, message: String },

    #[error("NATS error while {doing} `{stream}` at {location}: {message}")]
    #[diagnostic(
        code(dlq::nats),
        help("check that JetStream is enabled and that the user may use the stream")
    )]
    Nats {
        doing: &'static str,
        stream: String,
        location: String,
        message: String,
    },

    #[error("JetStream at {location} has no stream `{stream}`")]
    #[diagnostic(
        code(dlq::nats_unknown_stream),
        help("check --stream: stream names are case-sensitive (`nats stream ls` lists them)")
    )]
    NatsUnknownStream { stream: String, location: String },

    #[error("the stream `{stream}` at {location} has no consumer `{consumer}`")]
    #[diagnostic(
        code(dlq::nats_unknown_consumer),
        help(
            "check --consumer: use the durable name of the consumer that gave up on the messages"
        )
    )]
    NatsUnknownConsumer {
        consumer: String,
        stream: String,
        location: String,
    },

    #[error(
        "JetStream at {location} has no capture stream `{capture}`, so the max-deliveries advisories of `{stream}` were not kept"
    )]
    #[diagnostic(
        code(dlq::nats_no_capture),
        help(
            "create it with `axiomod dlq setup --source nats --stream {stream}`; it keeps the advisories from then on (earlier ones are lost)"
        )
    )]
    NatsNoCaptureStream {
        stream: String,
        capture: String,
        location: String,
    },

    #[error("the stream `{capture}` at {location} exists but does not capture `{subject}`")]
    #[diagnostic(
        code(dlq::nats_capture_conflict),
        help(
            "`{capture}` is the name axiomod uses for this capture stream: add the subject to it (`nats stream edit`) or remove it, then run setup again"
        )
    )]
    NatsCaptureConflict {
        capture: String,
        subject: String,
        location: String,
    },
}
