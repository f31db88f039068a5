//! Prints eseutil's verbose record dump of one log: `cargo run --example dump_records -- LOG`.
use esehdr_format::log::content::verify_log_content;
use esehdr_format::log::header::LgFileHeader;
use esehdr_format::log::records::dump::{page_size, write_page_references, write_records, write_statistics, Level};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: dump_records LOG")?;
    let file = std::fs::read(&path)?;
    let header = LgFileHeader::decode(&file)?;
    let verdict = verify_log_content(&file, &header);
    let out = std::io::stdout();
    let mut w = out.lock();
    let s = write_records(&mut w, &file, &header, &verdict, Level::Data)?;
    write_statistics(&mut w, &s)?;
    write_page_references(&mut w, &s, page_size(&header), true)?;
    Ok(())
}
