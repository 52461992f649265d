"""Write tests/golden/stories.json: the texts every engine must reproduce for the shipped models.

Run only after a shipped model changes:  python scripts/make_golden.py
The texts come from the NumPy golden reference; tests/test_shipped.py checks every engine.
"""

import json
from pathlib import Path

from trnn.model.generate import generate
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine, temperature_to_tq
from trnn.models import SHIPPED, shipped_path

CASES = [  # (prompt, temperature, seed, max tokens)
    ("Once upon a time", 0.0, 0, 300),
    ("Once upon a time", 0.8, 42, 300),
    ("Tom and Lily", 1.0, 7, 200),
]


def main():
    out = {}
    for name in SHIPPED:
        m = Machine.load(shipped_path(name))
        eng = NumpyEngine(m)
        out[name] = []
        for prompt, temp, seed, n in CASES:
            tq = temperature_to_tq(temp, m.logit_scale)
            tr = generate(eng, m.tokenizer.encode(prompt), n, tq=tq, seed=seed)
            out[name].append({"prompt": prompt, "temperature": temp, "tq": tq, "seed": seed,
                              "max_tokens": n, "tokens": tr.tokens,
                              "text": m.tokenizer.decode(tr.tokens).decode("utf-8", "replace")})
    path = Path(__file__).resolve().parent.parent / "tests" / "golden" / "stories.json"
    # one case per line: reviewable diffs when a shipped model changes
    body = ",\n".join(f" {json.dumps(name)}: [\n" + ",\n".join(
        "  " + json.dumps(c, ensure_ascii=False) for c in cases) + "\n ]"
        for name, cases in out.items())
    path.write_text("{\n" + body + "\n}\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
