#!/usr/bin/python3
"""Reference streaming client for bench/loadtest-bench.sh: Python asyncio + aiohttp, in the style of the request
functions of vLLM's `benchmark_serving` (one coroutine per request, `async for` over the response lines, timestamps
from time.perf_counter() as each SSE event is read, TTFT from the send, ITL between events). Written for this
benchmark, not copied from vLLM.

Closed loop: CONCURRENCY users, each posts its next streamed /v1/completions request when the last one ended, for
DURATION seconds; prints one JSON object: requests, successes, TTFT p50 and mean ITL in ms.

  /usr/bin/python3 bench/stream_client.py --url http://127.0.0.1:8000/v1/completions --concurrency 500 --duration 20
"""
import argparse
import asyncio
import json
import statistics
import sys
import time

import aiohttp


async def one_request(session, url, payload, ttfts, itls, outcome):
    start = time.perf_counter()
    first = None
    last = None
    done = False
    try:
        async with session.post(url, json=payload) as resp:
            if resp.status != 200:
                outcome["http_%d" % resp.status] = outcome.get("http_%d" % resp.status, 0) + 1
                await resp.read()
                return
            gaps = []
            async for raw in resp.content:
                line = raw.strip()
                if not line.startswith(b"data:"):
                    continue
                data = line[5:].strip()
                now = time.perf_counter()
                if data == b"[DONE]":
                    done = True
                    continue
                event = json.loads(data)
                choices = event.get("choices") or []
                if choices and choices[0].get("text"):
                    if first is None:
                        first = now
                    else:
                        gaps.append(now - last)
                    last = now
        if done and first is not None:
            ttfts.append(first - start)
            itls.extend(gaps)
            outcome["ok"] = outcome.get("ok", 0) + 1
        else:
            outcome["stream_cut"] = outcome.get("stream_cut", 0) + 1
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as e:
        key = type(e).__name__
        outcome[key] = outcome.get(key, 0) + 1


async def user(session, url, payload, deadline, ttfts, itls, outcome):
    while time.perf_counter() < deadline:
        await one_request(session, url, payload, ttfts, itls, outcome)


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--model", default="llama3.1:8b")
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--duration", type=float, default=20)
    p.add_argument("--max-tokens", type=int, default=20)
    p.add_argument("--max-requests", type=int, default=0, help="stop after this many (0: by duration)")
    a = p.parse_args()
    payload = {"model": a.model, "prompt": "Explain in one paragraph why a GPU speeds up LLM inference.",
               "max_tokens": a.max_tokens, "stream": True}
    ttfts, itls, outcome = [], [], {}
    connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
    timeout = aiohttp.ClientTimeout(total=6 * 60 * 60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        if a.max_requests:
            for _ in range(a.max_requests):
                await one_request(session, a.url, payload, ttfts, itls, outcome)
        else:
            deadline = time.perf_counter() + a.duration
            await asyncio.gather(*(user(session, a.url, payload, deadline, ttfts, itls, outcome)
                                   for _ in range(a.concurrency)))
    total = sum(outcome.values())
    json.dump({"requests": total, "succeeded": outcome.get("ok", 0), "outcomes": outcome,
               "ttft_p50_ms": statistics.median(ttfts) * 1000 if ttfts else None,
               "itl_mean_ms": statistics.fmean(itls) * 1000 if itls else None}, sys.stdout)
    print()


if __name__ == "__main__":
    asyncio.run(main())
