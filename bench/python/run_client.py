"""One Python client, one workload, in a process of its own: the counterpart of
bench/run-client.mjs for the aiohttp and httpx rows, under the same contract.

Started by bench/compare.mjs as `python run_client.py '<config JSON>'` with the config that
run-client.mjs gets ({client, url, method, size, requests, durationS?, concurrency, warmup,
warmupS, reps, protocol, ca?, body? | bodyFile?, contentType}). It writes one JSON message per line
on stdout: {"type": "phase"} while it runs, then {"type": "result"} (or {"type": "skip"}).

Requests are kept `concurrency` in flight with an asyncio semaphore; each body is read in
full and its length checked against `size` (None: any length). CPU time is getrusage() of
this process (user + system, every thread), peak RSS its ru_maxrss.
"""

import asyncio
import json
import math
import resource
import ssl
import sys
import time


class Skip(Exception):
    """This client cannot run this configuration; the row is shown as skipped."""


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def tls_context(config):
    if not config["url"].startswith("https:"):
        return None
    if config.get("ca"):
        return ssl.create_default_context(cadata=config["ca"])
    return ssl.create_default_context()


# A client is (send(method, url, body) -> (status, body length), close()). Both keep
# connections alive, open at most `concurrency` of them and ask for identity encoding
# (no decompression), like the Node clients of bench/clients.mjs.
async def aiohttp_client(config):
    if config["protocol"] == "h2":
        raise Skip("aiohttp speaks HTTP/1.1 only")
    import aiohttp

    connector = aiohttp.TCPConnector(
        limit=config["concurrency"], ssl=tls_context(config) or False
    )
    session = aiohttp.ClientSession(
        connector=connector,
        auto_decompress=False,
        skip_auto_headers=("Accept-Encoding",),
        timeout=aiohttp.ClientTimeout(total=300),
    )

    async def request(method, url, body, headers):
        async with session.request(method, url, data=body, headers=headers) as res:
            return res.status, len(await res.read())

    return request, session.close


async def httpx_client(config):
    import httpx

    limits = httpx.Limits(
        max_connections=config["concurrency"],
        max_keepalive_connections=config["concurrency"],
    )
    client = httpx.AsyncClient(
        limits=limits,
        http2=config["protocol"] == "h2",
        verify=tls_context(config) or True,
        timeout=httpx.Timeout(300),
        headers={"accept-encoding": "identity"},
    )

    async def request(method, url, body, headers):
        res = await client.request(method, url, content=body, headers=headers)
        return res.status_code, len(res.content)

    return request, client.aclose


CLIENTS = {"aiohttp": aiohttp_client, "httpx": httpx_client}


def request_body(config):
    """The body every request sends: the same bytes run-client.mjs sends, or None."""
    if config.get("bodyFile"):
        with open(config["bodyFile"], "rb") as file:
            return file.read()
    if config.get("body") is not None:
        return config["body"].encode()
    return None


async def load(request, config, method, body, headers, total=None, duration_s=None, min_s=0):
    """`total` requests (or as many as fit in `duration_s`), and more until `min_s` seconds
    have passed, `concurrency` at a time."""
    expected = config.get("size")
    outcome = {"errors": 0, "shortBodies": 0, "badStatus": 0, "firstError": None}
    latencies = []
    semaphore = asyncio.Semaphore(config["concurrency"])

    async def one():
        start = time.perf_counter()
        try:
            status, length = await request(method, config["url"], body, headers)
            if not 200 <= status <= 299:
                outcome["badStatus"] += 1
            elif expected is not None and length != expected:
                outcome["shortBodies"] += 1
            if not 200 <= status <= 299 or (expected is not None and length != expected):
                if outcome["firstError"] is None:
                    want = "any" if expected is None else str(expected)
                    outcome["firstError"] = f"status {status}, body {length} of {want} bytes"
        except Exception as error:  # every failure of one request counts, none stops the run
            outcome["errors"] += 1
            if outcome["firstError"] is None:
                outcome["firstError"] = f"{type(error).__name__}: {error}"
        finally:
            latencies.append((time.perf_counter() - start) * 1000)
            semaphore.release()

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_start = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    deadline = None if duration_s is None else start + duration_s
    minimum = start + min_s
    tasks = set()
    started = 0
    while (total is None or started < total or time.perf_counter() < minimum) and (
        deadline is None or time.perf_counter() < deadline
    ):
        await semaphore.acquire()
        if deadline is not None and time.perf_counter() >= deadline:
            semaphore.release()
            break
        task = asyncio.ensure_future(one())
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        started += 1
    if tasks:
        await asyncio.gather(*tasks)
    elapsed_s = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_us = (usage.ru_utime + usage.ru_stime - cpu_start) * 1e6

    done = len(latencies)
    latencies.sort()
    return {
        **outcome,
        "requests": done,
        "reqPerSec": done / elapsed_s if elapsed_s > 0 else 0,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "cpuUsPerReq": cpu_us / done if done else 0,
    }


def percentile(values, p):
    """Nearest rank, as run-client.mjs computes it."""
    if not values:
        return 0
    return values[min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))]


async def main():
    config = json.loads(sys.argv[1])
    try:
        request, close = await CLIENTS[config["client"]](config)
    except Skip as reason:
        send({"type": "skip", "reason": str(reason)})
        return
    except ImportError as error:
        send({"type": "skip", "reason": f"could not load: {error}"})
        return
    method = config["method"]
    body = request_body(config)
    headers = {"content-type": config["contentType"]} if body is not None else {}

    send({"type": "phase", "phase": "warm-up"})
    await load(
        request, config, method, body, headers, total=config["warmup"], min_s=config["warmupS"]
    )
    reps = []
    for rep in range(1, config["reps"] + 1):
        send({"type": "phase", "phase": f"rep {rep}/{config['reps']}"})
        reps.append(
            await load(
                request,
                config,
                method,
                body,
                headers,
                total=None if config.get("durationS") else config["requests"],
                duration_s=config.get("durationS"),
            )
        )
    # ru_maxrss is in KiB (bytes on macOS); Node's resourceUsage().maxRSS is in KiB.
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    max_rss_mb = max_rss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    await close()
    send({"type": "result", "reps": reps, "maxRssMb": max_rss_mb})


if __name__ == "__main__":
    asyncio.run(main())
