"""Train the Udacity seed configuration on tinyshakespeare and print validation perplexity, bpc and speed.

    python benchmarks/seed_tinyshakespeare.py [--steps 7001] [--lr 10] [extra rnncli train options]
    python benchmarks/seed_tinyshakespeare.py --steps 20 --log-every 5 --eval-every 10 --valid-size 2000  # smoke

The seed's settings (64-unit LSTM, batch 64, 10-character windows, SGD 10 -> 1 at step 5000, clip 1.25) on
tinyshakespeare as packaged with rnncli, whose last 10% is the validation text. Not a test: it prints figures.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def main(extra):
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "rnncli", "train", "--corpus", "tinyshakespeare",
                   "--run-dir", f"{folder}/run", "--sample-every", "0", "--json", *extra]
        print("$ " + " ".join(command[2:]), flush=True)
        summary = json.loads(subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout)
        records = [json.loads(line) for line in Path(folder, "run", "metrics.jsonl").read_text().splitlines()]
    speeds = [r["chars_per_sec"] for r in records if "chars_per_sec" in r]  # step 0's window (tracing) has none
    print(f"validation perplexity {summary['valid_perplexity']:.3f}, bpc {summary['valid_bpc']:.3f}, "
          f"training chars/s median {sorted(speeds)[len(speeds) // 2]:,.0f} over {len(speeds)} log windows")
    for record in records:
        if "valid_perplexity" in record:
            print(f"  step {record['step']:>6}: validation perplexity {record['valid_perplexity']:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
