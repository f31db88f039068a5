//! Transaction logs (`E00.log`, `edb.log`, `SRU00003.log`, ...): the header ([`header`]) with its
//! DBMS_PARAM ([`dbms_param`]) and attached-database list ([`attach`]), the content checks
//! ([`content`]), the records ([`records`]), the names of a stream's files ([`names`]) and the checks across a stream
//! ([`stream`]).

pub mod attach;
pub mod content;
pub mod dbms_param;
pub mod header;
pub mod names;
pub mod records;
pub mod stream;
