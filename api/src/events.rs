//! Live events, published after the transaction that caused them commits. In process, a
//! broadcast channel; subscribers filter what concerns them and lag rather than buffer without
//! bound (a slow subscriber misses events and is told so by a gap, never stalls the others).

use tokio::sync::broadcast;

/// What happened to a task, from a volunteer's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskEventKind {
    /// The volunteer got a place on it.
    Assigned,
    /// It changed (status, time, places).
    Changed,
    /// Its organization or the ministry called it off.
    Cancelled,
    /// The volunteer's claim on it ended.
    Released,
}

/// One task event and the volunteers it concerns.
#[derive(Clone, Debug)]
pub struct TaskEvent {
    pub kind: TaskEventKind,
    pub task_id: i32,
    pub volunteer_ids: Vec<i32>,
}

/// How many events a subscriber may fall behind before it skips ahead.
const CAPACITY: usize = 1024;

/// The application's event channels.
#[derive(Clone, Debug)]
pub struct Events {
    tasks: broadcast::Sender<TaskEvent>,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            tasks: broadcast::channel(CAPACITY).0,
        }
    }
}

impl Events {
    /// Publishes a task event (nobody listening is fine).
    pub fn task(&self, event: TaskEvent) {
        let _ = self.tasks.send(event);
    }

    /// A receiver of every task event from now on.
    pub fn subscribe_tasks(&self) -> broadcast::Receiver<TaskEvent> {
        self.tasks.subscribe()
    }
}
