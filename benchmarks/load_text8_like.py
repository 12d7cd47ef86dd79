"""How long loading a 100 MB text8-like corpus into ids takes, and the peak memory it needs.

    python benchmarks/load_text8_like.py [--level char|word] [--folder DIR] [--batch] [--bytes 100000000]
    python benchmarks/load_text8_like.py --folder DIR --batch --bytes 200000  # smoke (run it twice)

Writes DIR/text8_like_<bytes>.txt once (100,000,000 bytes of lowercase words and single spaces,
Zipf-distributed over 100,000 made-up words, like text8) and stops: run it again to measure in a fresh
process. Then times ``load_corpus`` on it with text8's 90%/5%/5% split and reports the peak resident memory
of this process before and after (the id array alone is 100 MB at char level). ``--batch`` also builds the
training windows (batch 64, unroll 50, ``WindowBatches``) and reads four of them (first, second, middle,
last), as the trainer does.
"""

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

TEXT8_BYTES = 100_000_000
#: text8's validation and test splits: 5M characters each of 100M
HELD_OUT_FRACTION = 0.05


def write_text8_like(path, size, seed=0):
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
    words = [letters[rng.integers(0, 26, n)].tobytes() for n in rng.integers(1, 12, 100_000)]
    written = 0
    with open(path, "wb") as stream:
        while written < size:
            chunk = b" " + b" ".join(words[i] for i in rng.zipf(1.2, 200_000) % len(words))
            chunk = chunk[: size - written]
            stream.write(chunk)
            written += len(chunk)


def peak_rss_mib():
    """This process's peak resident memory: VmHWM where Linux has it (``ru_maxrss`` survives ``exec``, so a
    child of a large process would report its parent's peak), else ``ru_maxrss``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--level", choices=["char", "word"], default="char")
    parser.add_argument("--folder", default=tempfile.gettempdir())
    parser.add_argument("--batch", action="store_true", help="also batch the training ids into windows")
    parser.add_argument("--bytes", type=int, default=TEXT8_BYTES, help="size of the corpus")
    args = parser.parse_args()
    path = Path(args.folder) / f"text8_like_{args.bytes}.txt"
    if not path.exists() or path.stat().st_size != args.bytes:
        write_text8_like(path, args.bytes)
        print(f"wrote {path}; run again to measure in a fresh process")
        return
    from rnncli.data.corpus import load_corpus
    from rnncli.data.spec import CorpusSpec

    before = peak_rss_mib()
    started = time.perf_counter()
    held_out = int(HELD_OUT_FRACTION * args.bytes) if args.level == "char" else None
    corpus, _ = load_corpus(CorpusSpec(str(path), valid_size=held_out, test_size=held_out, level=args.level))
    elapsed = time.perf_counter() - started
    ids_mib = sum(getattr(corpus, s).nbytes for s in ("train", "valid", "test")) / 2**20
    print(f"{args.level} level: {corpus.characters:,} characters -> {len(corpus.train):,} / {len(corpus.valid):,} / "
          f"{len(corpus.test):,} ids ({corpus.train.dtype}, {ids_mib:.0f} MiB), vocabulary {len(corpus.vocabulary):,}")
    if args.batch:
        from rnncli.data.batches import WindowBatches

        began = time.perf_counter()
        batches = WindowBatches(corpus.train, 64, 50)
        last = len(corpus.train) // (64 * 50)
        for k in (0, 1, last // 2, last - 1):
            batches.window(k)
        batched = time.perf_counter() - began
        print(f"batched in {batched:.3f} s ({last:,} windows of 64 x 51)")
    print(f"load time {elapsed:.2f} s; peak RSS {before:.0f} MiB before, {peak_rss_mib():.0f} MiB after "
          f"(+{peak_rss_mib() - before:.0f} MiB)")


if __name__ == "__main__":
    main()
