# placeholder: replaced by the model generator
import argparse, os
p = argparse.ArgumentParser(); p.add_argument("--out"); p.add_argument("--fixtures", default=None)
a = p.parse_args(); os.makedirs(a.out, exist_ok=True)
