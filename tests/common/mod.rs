//! Helpers shared by the integration tests: the module corpus, chunked
//! compilation and outcome comparison, scripted readers, a counting allocator.
//!
//! Every test binary includes this module and uses a different part of it.
#![allow(dead_code)]

pub mod corpus;
pub mod counting_alloc;
pub mod judged;
pub mod loopback;
pub mod outcome;
pub mod readers;
pub mod rng;
pub mod spec_config;
