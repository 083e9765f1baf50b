//! Network stand-ins of the tests' own: a listener that counts the connections made to it (what
//! `--offline` must never reach), a TCP relay that slows a registry down (to interrupt a copy
//! mid-layer) and one that cuts a connection once (a failed upload chunk).
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A listener that counts the connections made to it.
pub fn recorder() -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (address, count)
}

/// A TCP relay on a fresh loopback port to `upstream`: for each accepted client, a connection to
/// `upstream` is opened and both are handed to `pipe`, which starts the copying.
fn relay<F>(upstream: String, pipe: F) -> String
where
    F: Fn(std::net::TcpStream, std::net::TcpStream) + Send + 'static,
{
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let Ok(server) = TcpStream::connect(&upstream) else {
                continue;
            };
            pipe(client, server);
        }
    });
    address
}

/// A TCP relay to `upstream` that passes bytes on at about `rate` bytes a second each way. Each
/// connection's threads end when it closes.
pub fn throttled_relay(upstream: String, rate: usize) -> String {
    relay(upstream, move |client, server| {
        let (client_in, server_in) = (client.try_clone().unwrap(), server.try_clone().unwrap());
        std::thread::spawn(move || throttled_copy(client_in, server, rate));
        std::thread::spawn(move || throttled_copy(server_in, client, rate));
    })
}

pub fn throttled_copy(mut from: std::net::TcpStream, mut to: std::net::TcpStream, rate: usize) {
    use std::io::Read;
    let mut buffer = [0u8; 4096];
    let pause = std::time::Duration::from_secs_f64(buffer.len() as f64 / rate as f64);
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buffer[..n]).is_err() {
                    break;
                }
                std::thread::sleep(pause);
            }
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

/// A TCP relay to `upstream` that cuts the connection carrying the client's byte number
/// `cut_after` (counted over all connections, client to server) once, mid-request: a failed chunk
/// of an upload. The counter says how many connections were cut (0 or 1).
pub fn cutting_relay(upstream: String, cut_after: usize) -> (String, Arc<AtomicUsize>) {
    let sent = Arc::new(AtomicUsize::new(0));
    let cuts = Arc::new(AtomicUsize::new(0));
    let cut = cuts.clone();
    let address = relay(upstream, move |client, server| {
        let (client_in, server_in) = (client.try_clone().unwrap(), server.try_clone().unwrap());
        let (sent, cut) = (sent.clone(), cut.clone());
        std::thread::spawn(move || {
            use std::io::Read;
            let (mut from, mut to) = (client_in, server);
            let mut buffer = [0u8; 16 * 1024];
            loop {
                let n = match from.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let before = sent.fetch_add(n, Ordering::SeqCst);
                if before < cut_after && before + n >= cut_after {
                    cut.fetch_add(1, Ordering::SeqCst);
                    break;
                }
                if to.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
            let _ = to.shutdown(std::net::Shutdown::Both);
            let _ = from.shutdown(std::net::Shutdown::Both);
        });
        std::thread::spawn(move || throttled_copy(server_in, client, usize::MAX / 2));
    });
    (address, cuts)
}
