//! The `jcbulk` binary end to end, one module per command (or per concern that spans the
//! commands), all through the one runner in `common`.

mod common;

mod bounded_files;
mod bulk_options;
mod groups;
mod groups_column;
mod import_files;
mod mock_demo;
mod name_keys;
mod odd_lists;
mod orgs;
mod partial_updates;
mod profiles;
mod resume;
mod secrets;
mod servers;
mod signals;
mod sync;
mod sync_more;
mod usage;
mod users;
mod users_by_name;
mod userstates;
