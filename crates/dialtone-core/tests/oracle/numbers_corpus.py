"""Phone numbers as people type them, with the E.164 Google's libphonenumber reads.

The oracle for crates/dialtone-core/tests/numbers_oracle.rs: the Python port of
libphonenumber (`phonenumbers`, pinned to the metadata release of the Rust crate
Dialtone uses, so a disagreement is code, not metadata). No one here wrote it.

For every region it knows, it takes its example numbers of every type, and random
digits kept only where the oracle says the number is valid, and writes each the ways a
person types it: international format and E.164 (with no home region, with US, GB
and a random one), national format with the number's own region as home, and after the international
prefix of the US (011) and the UK (00). It
also writes numbers that are possible (right length) but not valid, which Dialtone
must accept with a hint. One JSON object per line:
  {"input": ..., "region": "US" | null, "e164": ..., "valid": true|false, "home": ...}

Usage: numbers_corpus.py SEED RANDOM_PER_REGION > corpus.jsonl
"""

import json
import random
import sys

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

TYPES = [
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.PAGER,
    PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
]


def emit(out, text, home, number, valid):
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    # Only cases the oracle itself reads back to the same number.
    try:
        again = phonenumbers.parse(text, home)
    except phonenumbers.NumberParseException:
        return
    if phonenumbers.format_number(again, PhoneNumberFormat.E164) != e164:
        return
    out.write(json.dumps({"input": text, "region": home, "e164": e164, "valid": valid}) + "\n")


def main():
    seed = int(sys.argv[1])
    per_region = int(sys.argv[2])
    rng = random.Random(seed)
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    out = sys.stdout
    valid_numbers = []
    possible_only = []
    for region in regions:
        examples = []
        for kind in TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                examples.append(example)
        for example in examples:
            valid_numbers.append((region, example))
        # Random digits over each example's shape, kept where the oracle says valid.
        found = 0
        tries = 0
        while examples and found < per_region and tries < per_region * 40:
            tries += 1
            base = rng.choice(examples)
            national = phonenumbers.national_significant_number(base)
            keep = rng.randint(1, max(1, len(national) - 2))
            digits = national[:keep] + "".join(rng.choice("0123456789") for _ in national[keep:])
            try:
                candidate = phonenumbers.parse("+%d%s" % (base.country_code, digits), None)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number_for_region(candidate, region):
                valid_numbers.append((region, candidate))
                found += 1
            elif phonenumbers.is_possible_number(candidate) and not phonenumbers.is_valid_number(candidate) and rng.random() < 0.2:
                possible_only.append((region, candidate))
    for region, number in valid_numbers:
        international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        other = rng.choice(regions)
        for home in (None, "US", "GB", other):
            emit(out, international, home, number, True)
        emit(out, e164, rng.choice((None, "US", "GB", other)), number, True)
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        emit(out, national, region, number, True)
        # Dialled from home with the home's international prefix.
        emit(out, "011 " + international[1:], "US", number, True)
        emit(out, "00 " + international[1:], "GB", number, True)
    for region, number in possible_only:
        international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        for home in (None, "US"):
            emit(out, international, home, number, False)


if __name__ == "__main__":
    main()
