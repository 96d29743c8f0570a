//! [`Fifo`]: a first-in, first-out queue on two stacks. Pages of a listing and a live stream's
//! messages wait in it; it is smaller in the wasm than `VecDeque`, whose ring buffer is
//! generated again for each item type.

use alloc::vec::Vec;

/// A queue: [`Fifo::push`] at the back, [`Fifo::pop`] at the front, each O(1) amortized.
#[derive(Debug)]
pub struct Fifo<T> {
    /// Pushed, oldest first.
    back: Vec<T>,
    /// To pop, newest first (the back reversed when it is empty).
    front: Vec<T>,
}

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Fifo {
            back: Vec::new(),
            front: Vec::new(),
        }
    }
}

impl<T> Fifo<T> {
    /// Adds `item` at the back.
    pub fn push(&mut self, item: T) {
        self.back.push(item);
    }

    /// The oldest item, removed.
    pub fn pop(&mut self) -> Option<T> {
        if self.front.is_empty() {
            core::mem::swap(&mut self.front, &mut self.back);
            self.front.reverse();
        }
        self.front.pop()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.front.is_empty() && self.back.is_empty()
    }

    /// Items waiting.
    pub fn len(&self) -> usize {
        self.front.len() + self.back.len()
    }
}

impl<T> Extend<T> for Fifo<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Fifo;

    #[test]
    fn first_in_first_out() {
        let mut q = Fifo::default();
        q.extend([1, 2]);
        assert_eq!(q.pop(), Some(1));
        q.push(3);
        assert_eq!(q.len(), 2);
        assert_eq!((q.pop(), q.pop(), q.pop()), (Some(2), Some(3), None));
        assert!(q.is_empty());
    }
}
