"""A small character transformer trained for a wall-clock budget on the CPU: the baseline of benchmarks/quality.py.

    python benchmarks/transformer_baseline.py [--seconds 180] [--corpus tinyshakespeare] [--threads N] [--json]
    python benchmarks/transformer_baseline.py --seconds 3  # smoke

nanoGPT's CPU "baby GPT" (``config/train_shakespeare_char.py`` at ``--block_size=64 --batch_size=12 --n_layer=4
--n_head=4 --n_embd=128 --dropout=0.0``): 4 pre-norm blocks of 4-head causal self-attention and a 4x GELU MLP, width
128, learned position embeddings, no biases, the output layer tied to the character embedding, weights drawn from
N(0, 0.02) (the residual projections 0.02 / sqrt(2 * layers)); windows of 64 characters, 12 per batch, drawn at
random from the training text. AdamW (betas 0.9, 0.99 as in that config) at lr 1e-3, cosine-decayed to 1e-4 over
the budget in time (progress = elapsed / budget seconds), without that config's 100-step warm-up (at the few steps
per second of a small CPU it would take a large share of a 3-minute budget); weight decay 0.1 on the matrices
(embeddings included), none on the norms' gains; gradients clipped at global norm 1.0.

The data is rnncli's own: ``rnncli.data.corpus.load_corpus`` gives the vocabulary (that of the training split) and
the train / validation ids exactly as ``rnncli train --corpus CORPUS`` makes them (train: the first 90%, validation:
the last 10%); for tinyshakespeare this is checked against the packaged ``datasets/tinyshakespeare.txt`` split at
``len - int(0.1 * len)``. Validation: the mean next-character cross-entropy in nats over all 64 positions of 200
fixed windows of 65 characters (seed 0) of the validation split, as nanoGPT estimates it (early positions see a
short context, so it is if anything pessimistic next to rnncli's figure over the whole split with carried state).
It runs at each whole minute of training and once more after the budget.

The clock starts just before the first training step and counts the per-minute validations (as rnncli's
``--max-seconds`` counts its evaluations; 200 windows take well under a second); training stops at the first step
that ends past the budget. Threads: torch's default intra-op count (the physical cores), not ``os.cpu_count()``
(which counts hyperthreads, usually no faster for these matrix products); on the 2-core machine measured they are
the same number, 2. ``--threads`` sets another. With ``--json`` the progress lines go to stderr and stdout holds one
JSON object (the curve, the final figure, steps and speed). torch is never a dependency of rnncli: only this
benchmark imports it.
"""

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from rnncli.data.corpus import load_corpus
from rnncli.data.spec import CorpusSpec

ROOT = Path(__file__).resolve().parents[1]
LAYERS, HEADS, WIDTH, CONTEXT, BATCH = 4, 4, 128, 64, 12
LR, MIN_LR, WEIGHT_DECAY, BETAS, CLIP = 1e-3, 1e-4, 0.1, (0.9, 0.99), 1.0
VALID_WINDOWS, VALID_SEED = 200, 0
MINUTE = 60.0  # seconds between two validations


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(width, bias=False), nn.LayerNorm(width, bias=False)
        self.qkv, self.attention_out = nn.Linear(width, 3 * width, bias=False), nn.Linear(width, width, bias=False)
        self.up, self.down = nn.Linear(width, 4 * width, bias=False), nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        batch, length, width = x.shape
        q, k, v = (part.view(batch, length, self.heads, width // self.heads).transpose(1, 2)
                   for part in self.qkv(self.norm1(x)).split(width, dim=2))
        attended = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.attention_out(attended.transpose(1, 2).reshape(batch, length, width))
        return x + self.down(F.gelu(self.up(self.norm2(x))))


class CharTransformer(nn.Module):
    def __init__(self, vocab, layers=LAYERS, heads=HEADS, width=WIDTH, context=CONTEXT):
        super().__init__()
        self.embedding, self.position = nn.Embedding(vocab, width), nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(width, bias=False)
        self.apply(self._init)
        for name, parameter in self.named_parameters():
            if name.endswith(("attention_out.weight", "down.weight")):
                nn.init.normal_(parameter, 0.0, 0.02 / math.sqrt(2 * layers))

    @staticmethod
    def _init(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, 0.0, 0.02)

    def forward(self, ids):
        x = self.embedding(ids) + self.position(torch.arange(ids.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.norm(x) @ self.embedding.weight.T  # the output layer tied to the embedding

    def loss(self, window):
        """Mean next-character cross-entropy (nats) over every position of ``window`` (batch, context + 1)."""
        logits = self(window[:, :-1])
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), window[:, 1:].reshape(-1))


def rnncli_split(corpus_name):
    """``(vocabulary size, train ids, valid ids)`` as ``rnncli train --corpus CORPUS`` makes them."""
    corpus, _ = load_corpus(CorpusSpec(corpus=corpus_name))
    if corpus_name == "tinyshakespeare":  # the packaged text, split where rnncli.data.corpus.split_sizes puts it
        text = (ROOT / "datasets" / "tinyshakespeare.txt").read_text(encoding="utf-8")
        split = len(text) - int(0.1 * len(text))
        assert corpus.vocabulary.decode(corpus.valid) == text[split:], "validation split differs from rnncli's"
        assert corpus.vocabulary.decode(corpus.train) == text[:split], "training split differs from rnncli's"
    return len(corpus.vocabulary), corpus.train.astype(np.int64), corpus.valid.astype(np.int64)


def windows(ids, starts):
    return torch.from_numpy(np.stack([ids[s:s + CONTEXT + 1] for s in starts]))


def validation_windows(valid):
    if len(valid) < CONTEXT + 1:
        raise SystemExit(f"the validation split has {len(valid)} characters, fewer than a window ({CONTEXT + 1})")
    starts = np.random.default_rng(VALID_SEED).integers(0, len(valid) - CONTEXT, VALID_WINDOWS)
    return windows(valid, starts)


@torch.no_grad()
def validation_nats(model, fixed, chunk=50):
    model.eval()
    total = sum(float(model.loss(fixed[i:i + chunk])) * len(fixed[i:i + chunk]) for i in range(0, len(fixed), chunk))
    model.train()
    return total / len(fixed)


def learning_rate(elapsed, budget):
    """Cosine from LR to MIN_LR over the budget in wall-clock time."""
    return MIN_LR + 0.5 * (LR - MIN_LR) * (1 + math.cos(math.pi * min(1.0, elapsed / budget)))


def optimizer_of(model):
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    others = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": matrices, "weight_decay": WEIGHT_DECAY},
                              {"params": others, "weight_decay": 0.0}], lr=LR, betas=BETAS)


def train(corpus_name, budget, log_seconds, say):
    """The curve (one record per whole minute, then the final one) and the run's figures."""
    torch.manual_seed(0)
    vocab, train_ids, valid = rnncli_split(corpus_name)
    fixed = validation_windows(valid)
    model = CharTransformer(vocab)
    optimizer = optimizer_of(model)
    rng = np.random.default_rng(0)
    parameters = sum(p.numel() for p in model.parameters())
    say(f"transformer {LAYERS} layers x {HEADS} heads x {WIDTH}, context {CONTEXT}, batch {BATCH}: {parameters:,} "
        f"parameters, vocabulary {vocab}, {len(train_ids):,} train / {len(valid):,} valid characters, "
        f"{torch.get_num_threads()} threads, budget {budget:g} s")
    curve, losses, step, minute, next_log, validating = [], [], 0, 1, log_seconds, 0.0

    def evaluate(label):
        nonlocal validating
        began = time.perf_counter()
        nats = validation_nats(model, fixed)
        if label != "final":  # within the training clock
            validating += time.perf_counter() - began
        record = {"minute": label, "step": step, "elapsed_s": elapsed, "valid_nats": nats}
        curve.append(record)
        say(f"  {label if label == 'final' else f'minute {label}':>9}: validation {nats:.4f} nats "
            f"(step {step:,}, {elapsed:.1f} s)")

    start = time.perf_counter()
    while True:
        elapsed = time.perf_counter() - start
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(elapsed, budget)
        loss = model.loss(windows(train_ids, rng.integers(0, len(train_ids) - CONTEXT, BATCH)))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        loss = float(loss.detach())
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        step += 1
        elapsed = time.perf_counter() - start
        if elapsed >= next_log:
            losses.append({"step": step, "elapsed_s": elapsed, "loss": loss})
            say(f"  step {step:>6,}  loss {loss:.4f}  {elapsed:.1f} s")
            next_log += log_seconds
        if elapsed >= budget:
            break
        if elapsed >= MINUTE * minute:
            evaluate(minute)
            minute += 1
    training = elapsed
    evaluate("final")
    speed = step * BATCH * CONTEXT / (training - validating)
    say(f"transformer: {step:,} steps in {training:.1f} s ({validating:.2f} s of it validating at whole minutes), "
        f"{speed:,.0f} training chars/s")
    return {"curve": curve, "train_loss": losses, "valid_nats": curve[-1]["valid_nats"], "steps_done": step,
            "training_s": training, "validating_s": validating, "chars_per_sec": speed, "parameters": parameters,
            "threads": torch.get_num_threads(), "budget_s": budget}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="wall-clock training budget")
    parser.add_argument("--corpus", default="tinyshakespeare")
    parser.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's own)")
    parser.add_argument("--log-seconds", type=float, default=10.0, help="print the training loss this often")
    parser.add_argument("--json", action="store_true", help="progress to stderr, one JSON object to stdout")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    stream = sys.stderr if args.json else sys.stdout
    summary = train(args.corpus, args.seconds, args.log_seconds, lambda line: print(line, file=stream, flush=True))
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
