//! Required references that form a cycle: no record of those entities could ever be created
//! first, since each needs an existing record of the next.

use crate::model::{Entity, Field, FieldType, Name};

/// One required reference of a cycle: the entity and its field that points at the next one.
pub(super) struct Link<'m> {
    pub entity: &'m Entity,
    pub field: &'m Field,
}

/// Every cycle of required references between the entities of `module`, each once (starting
/// at its entity that comes first in the schema), in schema order.
pub(super) fn required_reference_cycles<'m>(
    module: &Name,
    entities: &'m [Entity],
) -> Vec<Vec<Link<'m>>> {
    let mut cycles = Vec::new();
    for (position, start) in entities.iter().enumerate() {
        // Entities earlier in the schema were starts already: a cycle through one was found.
        let search = Search {
            module,
            candidates: &entities[position..],
            start,
        };
        let mut path = Vec::new();
        let mut explored = Vec::new();
        if search.back_to_start(start, &mut path, &mut explored) {
            cycles.push(path);
        }
    }
    cycles
}

/// A depth-first search for a path of required references back to `start`.
struct Search<'a, 'm> {
    module: &'a Name,
    candidates: &'m [Entity],
    start: &'m Entity,
}

impl<'m> Search<'_, 'm> {
    /// Whether a path leads from `entity` back to the start; the path is left in `path`.
    /// Each entity is explored once (`explored`), so the search is linear in the references.
    fn back_to_start(
        &self,
        entity: &'m Entity,
        path: &mut Vec<Link<'m>>,
        explored: &mut Vec<&'m str>,
    ) -> bool {
        explored.push(&entity.name.pascal);
        for field in entity.fields.iter().filter(|field| !field.optional) {
            let FieldType::Ref(target) = &field.kind else {
                continue;
            };
            if target.module.snake != self.module.snake {
                continue;
            }
            let Some(next) = self
                .candidates
                .iter()
                .find(|candidate| candidate.name.pascal == target.entity.pascal)
            else {
                continue;
            };
            let back = std::ptr::eq(next, self.start);
            if !back && explored.contains(&next.name.pascal.as_str()) {
                continue;
            }
            path.push(Link { entity, field });
            if back || self.back_to_start(next, path, explored) {
                return true;
            }
            path.pop();
        }
        false
    }
}
