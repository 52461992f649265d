"""Write docs/samples.md: three unedited stories of every shipped model and of the models kept
for comparison (:data:`CANDIDATES`: those shipped before, and one that does not fit), as
README quotes them.

Run after a shipped model changes:  python scripts/make_samples.py
Each sample is ``trnn generate --model NAME --prompt "Once upon a time" --temperature 0.8
--seed S --max-tokens 300`` for S = 1, 2, 3 (the NumPy golden engine; every engine writes the
same bytes), up to the model's end-of-story token. The bytes are decoded as UTF-8 with
replacement, as a terminal shows them (docs/machine.md §6).
"""

from pathlib import Path

from trnn.model.generate import generate
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine, temperature_to_tq
from trnn.models import SHIPPED, shipped_path

PROMPT, TEMPERATURE, SEEDS, MAX_TOKENS = "Once upon a time", 0.8, (1, 2, 3), 300
ROOT = Path(__file__).resolve().parent.parent
# trained, not shipped (README says why); the path is what --model takes
CANDIDATES = ["benchmarks/models/large-bpe512.trnn", "benchmarks/models/small-bpe512.trnn",
              "benchmarks/models/small-e48.trnn"]


def samples(m: Machine) -> list[str]:
    """The texts of seeds :data:`SEEDS` (prompt included, EOT bytes left out)."""
    eng, tq = NumpyEngine(m), temperature_to_tq(TEMPERATURE, m.logit_scale)
    out = []
    for seed in SEEDS:
        tr = generate(eng, m.tokenizer.encode(PROMPT), MAX_TOKENS, tq=tq, seed=seed)
        toks = [t for t in tr.tokens if t != m.eot_id]
        out.append(PROMPT + m.tokenizer.decode(toks).decode("utf-8", "replace"))
    return out


def main() -> None:
    lines = ["# Samples of the shipped models", "",
             "Written by `python scripts/make_samples.py`; unedited. Each is `trnn generate "
             f"--model NAME --prompt \"{PROMPT}\" --temperature {TEMPERATURE} --seed S "
             f"--max-tokens {MAX_TOKENS}`, up to the model's end of story.", ""]
    models = [(name, shipped_path(name)) for name in SHIPPED]
    models += [(f"{c} (not shipped)", ROOT / c) for c in CANDIDATES]
    for name, path in models:
        m = Machine.load(path)
        lines += [f"## `{name}` (fingerprint {m.fingerprint():08x})", ""]
        for seed, text in zip(SEEDS, samples(m)):
            lines += [f"Seed {seed}:", "", *("> " + ln if ln else ">" for ln in
                                              text.strip().split("\n")), ""]
    path = ROOT / "docs" / "samples.md"
    path.write_text("\n".join(lines))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
