//! [`NameMap`]: the name → value map behind `Imports` and `Namespace`.
//!
//! A sorted `Vec` searched by binary search: an import object holds tens of
//! names, not thousands, and this is a fraction of a `BTreeMap`'s code size
//! on a microcontroller, where every KiB of flash counts.

use alloc::boxed::Box;
use alloc::vec::Vec;

/// Names in byte order, each with its value.
#[derive(Clone)]
pub(crate) struct NameMap<V> {
    entries: Vec<(Box<str>, V)>,
}

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap {
            entries: Vec::new(),
        }
    }
}

impl<V> NameMap<V> {
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(key, _)| (**key).cmp(name))
    }

    /// Sets `name` to `value`, replacing any earlier value.
    pub(crate) fn insert(&mut self, name: &str, value: V) {
        match self.position(name) {
            Ok(at) => self.entries[at].1 = value,
            Err(at) => self.entries.insert(at, (name.into(), value)),
        }
    }

    /// The value of `name`, inserting `V::default()` if missing.
    pub(crate) fn get_or_insert_default(&mut self, name: &str) -> &mut V
    where
        V: Default,
    {
        let at = match self.position(name) {
            Ok(at) => at,
            Err(at) => {
                self.entries.insert(at, (name.into(), V::default()));
                at
            }
        };
        &mut self.entries[at].1
    }

    pub(crate) fn get(&self, name: &str) -> Option<&V> {
        self.position(name).ok().map(|at| &self.entries[at].1)
    }

    pub(crate) fn remove(&mut self, name: &str) -> Option<V> {
        self.position(name).ok().map(|at| self.entries.remove(at).1)
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, by name in byte order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries.iter().map(|(name, value)| (&**name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_names_sorted_and_unique() {
        let mut map = NameMap::default();
        for (name, value) in [("b", 1), ("a", 2), ("c", 3), ("a", 4)] {
            map.insert(name, value);
        }
        let entries: Vec<_> = map.iter().collect();
        assert_eq!(entries, [("a", &4), ("b", &1), ("c", &3)]);
        assert_eq!(map.get("b"), Some(&1));
        assert_eq!(map.remove("b"), Some(1));
        assert_eq!(map.get("b"), None);
        *map.get_or_insert_default("d") += 5;
        assert_eq!(map.get("d"), Some(&5));
        assert_eq!(map.len(), 3);
        assert!(!map.is_empty());
    }
}
