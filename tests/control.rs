//! Progress, abort and the bounded retry of interrupted reads, through the
//! public API (`wasmstream::control`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use embedded_io::ErrorKind;
use wasmstream::control::{
    Abort, InterruptedRetries, MAX_INTERRUPTED_IN_A_ROW, NoAbort, NoProgress, Progress,
    ProgressEvent, Section,
};
use wasmstream::{Error, TypeError};

/// Feeds `results` through one counter; returns the outcome of each read.
fn run(retries: &mut InterruptedRetries, results: &[Result<usize, ErrorKind>]) -> Vec<String> {
    results
        .iter()
        .map(|&result| match retries.check(result, 100) {
            Ok(Some(n)) => format!("read {n}"),
            Ok(None) => String::from("retry"),
            Err(error) => error.to_string(),
        })
        .collect()
}

#[test]
fn interrupted_reads_are_retried_up_to_the_limit_in_a_row() {
    let mut retries = InterruptedRetries::new();
    let interrupted = Err(ErrorKind::Interrupted);
    let limit = MAX_INTERRUPTED_IN_A_ROW as usize;
    let outcomes = run(&mut retries, &vec![interrupted; limit + 1]);
    assert!(
        outcomes[..limit].iter().all(|o| o == "retry"),
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes[limit],
        format!(
            "type error: network error at byte 100: the read was interrupted {} times in a row",
            limit + 1
        )
    );
}

#[test]
fn a_successful_read_resets_the_count() {
    let mut retries = InterruptedRetries::with_limit(2);
    let i = Err(ErrorKind::Interrupted);
    let outcomes = run(&mut retries, &[i, i, Ok(3), i, i, Ok(0), i, i, i]);
    assert_eq!(
        outcomes,
        [
            "retry",
            "retry",
            "read 3",
            "retry",
            "retry",
            "read 0",
            "retry",
            "retry",
            "type error: network error at byte 100: the read was interrupted 3 times in a row",
        ]
    );
}

#[test]
fn a_limit_of_zero_retries_nothing() {
    let mut retries = InterruptedRetries::with_limit(0);
    let Err(Error::Type(error)) = retries.check(Err(ErrorKind::Interrupted), 7) else {
        panic!()
    };
    assert_eq!(
        error,
        TypeError::ReadInterrupted {
            offset: 7,
            retries: 1
        }
    );
    assert_eq!(InterruptedRetries::default(), InterruptedRetries::new());
}

#[test]
fn other_reader_errors_pass_through_unchanged() {
    let mut retries = InterruptedRetries::new();
    assert!(matches!(
        retries.check(Err(ErrorKind::Interrupted), 0),
        Ok(None)
    ));
    let Err(Error::Io(kind)) = retries.check(Err(ErrorKind::TimedOut), 0) else {
        panic!()
    };
    assert_eq!(kind, ErrorKind::TimedOut);
}

#[test]
fn an_atomic_flag_aborts_once_set() {
    let flag = AtomicBool::new(false);
    let mut abort = &flag;
    assert!(!abort.aborted());
    assert!(!abort.aborted());
    flag.store(true, Ordering::Release);
    assert!(abort.aborted());
}

#[test]
fn a_closure_aborts_when_it_says_so() {
    let mut calls = 0;
    let mut abort = || {
        calls += 1;
        calls > 3
    };
    let seen: Vec<bool> = (0..5).map(|_| abort.aborted()).collect();
    assert_eq!(seen, [false, false, false, true, true]);
}

#[test]
fn no_abort_never_aborts_and_abort_reads_as_abort_error() {
    let mut never = NoAbort;
    assert!((0..100).all(|_| !never.aborted()));
    let error: Error<ErrorKind> = Error::Abort;
    assert_eq!(error.to_string(), "AbortError: the caller aborted the load");
}

/// A generic driver loop as the blocking drivers will use it: checks the
/// abort condition before every read and reports progress after each.
fn drive<A: Abort, P: Progress>(
    chunks: &[usize],
    total: u64,
    mut abort: A,
    mut progress: P,
) -> Result<u64, Error<ErrorKind>> {
    let mut received = 0;
    for &n in chunks {
        if abort.aborted() {
            return Err(Error::Abort);
        }
        received += n as u64;
        progress.progress(ProgressEvent {
            received,
            total: Some(total),
            section: Section::Code,
        });
    }
    Ok(received)
}

#[test]
fn progress_reaches_a_closure_once_per_read() {
    let mut events = Vec::new();
    let received = drive(&[8, 10, 3], 21, NoAbort, |event: ProgressEvent| {
        events.push(event)
    })
    .unwrap();
    assert_eq!(received, 21);
    let counts: Vec<(u64, Option<u64>)> = events.iter().map(|e| (e.received, e.total)).collect();
    assert_eq!(counts, [(8, Some(21)), (18, Some(21)), (21, Some(21))]);
    assert!(events.iter().all(|e| e.section == Section::Code));
    assert_eq!(drive(&[1, 2], 3, NoAbort, NoProgress).unwrap(), 3);
}

#[test]
fn an_abort_between_reads_stops_before_the_next() {
    let flag = AtomicBool::new(false);
    let mut events = 0;
    let mut reads = 0;
    let abort = || {
        reads += 1;
        if reads == 3 {
            flag.store(true, Ordering::Release);
        }
        flag.load(Ordering::Acquire)
    };
    let result = drive(&[4, 4, 4, 4], 16, abort, |_| events += 1);
    assert!(matches!(result, Err(Error::Abort)));
    assert_eq!(events, 2);
}

#[test]
fn every_section_id_has_a_distinct_name() {
    let sections: Vec<Section> = (0..=13).map(|id| Section::from_id(id).unwrap()).collect();
    let mut names: Vec<&str> = sections.iter().map(|s| s.name()).collect();
    assert_eq!(names[0], "custom");
    assert_eq!(names[10], "code");
    assert_eq!(names[12], "data count");
    names.push(Section::Header.name());
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 15);
    assert!((14..=255).all(|id| Section::from_id(id).is_none()));
}

struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[cfg(feature = "async")]
#[test]
fn yield_now_gives_the_executor_one_turn() {
    let wakes = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(wakes.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(wasmstream::control::yield_now());
    assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
    assert_eq!(
        wakes.0.load(Ordering::SeqCst),
        1,
        "it must wake itself, or it would never be polled again"
    );
    assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(()));
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
}
