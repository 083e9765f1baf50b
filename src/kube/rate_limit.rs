//! Client-side rate limiting of requests to the API server, as client-go's
//! `flowcontrol.NewTokenBucketRateLimiter(qps, burst)` does for Helm: a bucket of `burst` tokens,
//! full at the start and refilled at `qps` tokens a second; each request takes one token before it
//! is sent, waiting for the next when the bucket is empty.
//!
//! The [`RateLimitLayer`] goes into kube-rs's service stack, below the `Buffer` its `Client` adds:
//! the buffer's worker asks [`RateLimited::poll_ready`] before dispatching each request, so
//! requests leave one by one at the bucket's pace while those sent stay concurrent, and watches
//! take a token each like any other request.
//!
//! When it applies (`KubeSettings::rate_limit`): Helm's flags `--qps`/`--burst-limit` (and
//! `HELM_QPS`/`HELM_BURST_LIMIT`) when either is given; client-go's defaults fill in the other
//! (`qps` 0 is 5 per second, Helm's `burst` default is 100), and a negative `qps` turns limiting
//! off. Deliberately unlike Helm, which limits at 5 per second after a burst of 100 even when
//! neither is given, Rudder does not limit then: it sends its reads concurrently (`list -A` of 200
//! releases reads 200 records at once), and that default would cost seconds for no protection the
//! API server's own priority and fairness do not give.
//!
//! With `--debug`, each wait is reported on stderr as client-go reports long ones: `Waited for
//! 1.00s due to client-side throttling, not priority and fairness`.
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;

/// client-go's `DefaultQPS`, used when `--qps` is 0.
pub const DEFAULT_QPS: f32 = 5.0;
/// Helm's default `--burst-limit`.
pub const DEFAULT_BURST: i64 = 100;

/// The limit to apply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Tokens added per second (> 0).
    pub qps: f64,
    /// Size of the bucket (≥ 1).
    pub burst: u32,
    /// Report each wait on stderr (`--debug`).
    pub log: bool,
}

impl RateLimit {
    /// client-go's choice from Helm's `--qps` and `--burst-limit` (either may be absent): `None`
    /// when requests are not limited.
    pub fn from_flags(qps: Option<f32>, burst: Option<i64>, log: bool) -> Option<RateLimit> {
        if qps.is_none() && burst.is_none() {
            return None;
        }
        let qps = match qps.unwrap_or(0.0) {
            q if q < 0.0 => return None,
            0.0 => DEFAULT_QPS,
            q => q,
        };
        let burst = match burst.unwrap_or(DEFAULT_BURST) {
            // client-go's `DefaultBurst` for 0; the rate package treats a negative burst as 0 tokens,
            // which would block forever: at least one request passes at a time.
            0 => 10,
            b => b.clamp(1, i64::from(u32::MAX)) as u32,
        };
        Some(RateLimit {
            qps: f64::from(qps),
            burst,
            log,
        })
    }
}

/// The token bucket (pure: times are given).
#[derive(Debug, Clone)]
pub struct TokenBucket {
    qps: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(limit: &RateLimit, now: Instant) -> TokenBucket {
        TokenBucket {
            qps: limit.qps,
            burst: f64::from(limit.burst),
            tokens: f64::from(limit.burst),
            last: now,
        }
    }

    /// Takes a token at `now`, or says how long until one is available (nothing is taken then).
    pub fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.qps).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let missing = 1.0 - self.tokens;
        Err(Duration::from_secs_f64(missing / self.qps).max(Duration::from_micros(1)))
    }
}

/// Counts the requests that had to wait, for `--debug` and tests.
#[derive(Debug, Default)]
pub struct Throttled(AtomicU64);

impl Throttled {
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The tower layer that limits a kube-rs service stack.
#[derive(Debug, Clone)]
pub struct RateLimitLayer {
    limit: RateLimit,
    throttled: Arc<Throttled>,
}

impl RateLimitLayer {
    pub fn new(limit: RateLimit) -> RateLimitLayer {
        RateLimitLayer {
            limit,
            throttled: Arc::default(),
        }
    }

    /// How many requests have waited so far.
    pub fn throttled(&self) -> Arc<Throttled> {
        self.throttled.clone()
    }
}

impl<S> tower::Layer<S> for RateLimitLayer {
    type Service = RateLimited<S>;

    fn layer(&self, inner: S) -> RateLimited<S> {
        RateLimited {
            inner,
            bucket: TokenBucket::new(&self.limit, Instant::now()),
            log: self.limit.log,
            throttled: self.throttled.clone(),
            sleep: None,
            waited_since: None,
            reserved: false,
        }
    }
}

/// A service whose requests each take a token first.
pub struct RateLimited<S> {
    inner: S,
    bucket: TokenBucket,
    log: bool,
    throttled: Arc<Throttled>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    waited_since: Option<Instant>,
    /// A token was taken for the next `call`.
    reserved: bool,
}

impl<S, R> tower::Service<R> for RateLimited<S>
where
    S: tower::Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        while !self.reserved {
            if let Some(sleep) = self.sleep.as_mut() {
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.sleep = None;
            }
            let now = Instant::now();
            match self.bucket.try_take(now) {
                Ok(()) => {
                    self.reserved = true;
                    if let Some(since) = self.waited_since.take() {
                        self.throttled.0.fetch_add(1, Ordering::Relaxed);
                        if self.log {
                            eprintln!(
                                "Waited for {:.2}s due to client-side throttling, not priority and fairness",
                                now.saturating_duration_since(since).as_secs_f64()
                            );
                        }
                    }
                }
                Err(wait) => {
                    self.waited_since.get_or_insert(now);
                    self.sleep = Some(Box::pin(tokio::time::sleep(wait)));
                }
            }
        }
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> S::Future {
        self.reserved = false;
        self.inner.call(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(qps: f64, burst: u32) -> RateLimit {
        RateLimit {
            qps,
            burst,
            log: false,
        }
    }

    #[test]
    fn bucket_starts_full_then_refills_at_qps() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(&limit(2.0, 3), t0);
        for _ in 0..3 {
            assert_eq!(b.try_take(t0), Ok(()));
        }
        let wait = b.try_take(t0).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        // Half a token after 250 ms: 250 ms more to wait.
        let t1 = t0 + Duration::from_millis(250);
        assert_eq!(b.try_take(t1).unwrap_err(), Duration::from_millis(250));
        let t2 = t0 + Duration::from_millis(500);
        assert_eq!(b.try_take(t2), Ok(()));
        // Never more than `burst` tokens, however long the pause.
        let t3 = t2 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(b.try_take(t3), Ok(()));
        }
        assert!(b.try_take(t3).is_err());
    }

    #[test]
    fn flags_as_client_go_reads_them() {
        assert_eq!(RateLimit::from_flags(None, None, false), None);
        assert_eq!(
            RateLimit::from_flags(Some(0.0), None, false),
            Some(limit(5.0, 100))
        );
        assert_eq!(
            RateLimit::from_flags(None, Some(7), false),
            Some(limit(5.0, 7))
        );
        assert_eq!(
            RateLimit::from_flags(Some(1.0), Some(1), false),
            Some(limit(1.0, 1))
        );
        assert_eq!(RateLimit::from_flags(Some(-1.0), Some(1), false), None);
        assert_eq!(
            RateLimit::from_flags(Some(2.0), Some(0), false),
            Some(limit(2.0, 10))
        );
    }

    #[tokio::test]
    async fn requests_wait_for_tokens() {
        use tower::{Service, ServiceExt};
        let layer = RateLimitLayer::new(limit(100.0, 2));
        let throttled = layer.throttled();
        let mut svc = tower::Layer::layer(
            &layer,
            tower::service_fn(|n: u32| async move { Ok::<_, std::convert::Infallible>(n) }),
        );
        for n in 0..5 {
            let ready = svc.ready().await.unwrap();
            assert_eq!(ready.call(n).await.unwrap(), n);
        }
        // Two from the bucket, then each waited for a token.
        assert_eq!(throttled.count(), 3);
    }
}
