"""Start genro-mail-proxy for the acceptance suite.

genro-mail-proxy 0.7.0 reads no configuration from the environment
(docs/sut-0.7.0.md, "How the suite starts it"): the only way to set its token, database, start_active flag, test
mode and retry timings is to build a ProxyConfig in Python. This launcher does
exactly that and serves the API with uvicorn on 127.0.0.1.

The SUT's `src/` must be importable (the suite puts it on PYTHONPATH).
The API token is read from the environment variable GMP_LAUNCHER_TOKEN so that
it never shows up in `ps` output or in the suite's logs.
"""

from __future__ import annotations

import argparse
import os
import sys


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, help="SQLite file path (absolute) or postgresql:// URL")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--test-mode", action="store_true", help="park both loops until /instance/run_now")
    p.add_argument("--no-start-active", action="store_true", help="keep the report loop inactive (release default)")
    p.add_argument("--send-loop-interval", type=float, default=0.1)
    p.add_argument("--max-retries", type=int, default=2)
    p.add_argument("--retry-delays", default="1,2", help="comma-separated seconds, e.g. 1,2")
    p.add_argument("--default-priority", type=int, default=None, help="ProxyConfig.default_priority (0-3); the release's default when left out")
    p.add_argument("--report-retention-seconds", type=int, default=None, help="ProxyConfig.timing.report_retention_seconds; the release's default when left out")
    p.add_argument("--default-smtp", default=None, metavar="HOST:PORT", help="the instance's default SMTP server, for messages without an account (plain, no login)")
    p.add_argument("--release-retry", action="store_true", help="keep the release's own RetryConfig (ignore --max-retries and --retry-delays)")
    p.add_argument("--log-level", default="info")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    token = os.environ.get("GMP_LAUNCHER_TOKEN") or None

    import uvicorn
    from core.mail_proxy.proxy import MailProxy
    from core.mail_proxy.proxy_config import ProxyConfig, RetryConfig, TimingConfig

    delays = tuple(int(x) for x in args.retry_delays.split(",") if x.strip())
    timing = TimingConfig(send_loop_interval=args.send_loop_interval)
    if args.report_retention_seconds is not None:
        timing.report_retention_seconds = args.report_retention_seconds
    instance_settings = {} if args.default_priority is None else {"default_priority": args.default_priority}
    config = ProxyConfig(
        db_path=args.db,
        api_token=token,
        start_active=not args.no_start_active,
        test_mode=args.test_mode,
        timing=timing,
        log_delivery_activity=True,
        **instance_settings,
        **({} if args.release_retry else {"retry": RetryConfig(max_retries=args.max_retries, delays=delays)}),
    )
    print(
        f"launcher: db={args.db} port={args.port} test_mode={args.test_mode} "
        f"start_active={config.start_active} send_loop_interval={args.send_loop_interval} "
        f"retry={config.retry.max_retries}x{list(config.retry.delays)} default_priority={config.default_priority} "
        f"report_retention={timing.report_retention_seconds}s token={'set' if token else 'none'}",
        flush=True,
    )
    proxy = MailProxy(config=config)
    if args.default_smtp:
        # 0.7.0 has no constructor parameter or setting for these (docs/features.rst, "SMTP
        # Connections", says there is): set the attributes its sender reads instead.
        host, _, port = args.default_smtp.rpartition(":")
        proxy.default_host, proxy.default_port, proxy.default_use_tls = host, int(port), False
    uvicorn.run(proxy.api, host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
