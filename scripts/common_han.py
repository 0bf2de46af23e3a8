"""Write ``analyser/lang/zh/common_han.txt``: the 3,500 Han characters most frequent in jieba's
dictionary (each weighted by the frequencies of the words that hold it) and their traditional forms
(OpenCC s2t). Decoding uses them to tell GB18030 from Big5, and either from Latin-1 read as a
double-byte code (``analyser.reading``).

    python scripts/common_han.py analyser/lang/zh/common_han.txt
"""
import collections
import os
import sys

import jieba
import opencc

p = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
freq = collections.Counter()
for line in open(p, encoding="utf-8"):
    w, f = line.split()[:2]
    for ch in w:
        if "\u4e00" <= ch <= "\u9fff":
            freq[ch] += int(f)
top = [c for c, _ in freq.most_common(3500)]
trad = opencc.OpenCC("s2t").convert("".join(top))
chars = sorted(set(top) | set(trad))
out = sys.argv[1]
with open(out, "w", encoding="utf-8") as fh:
    fh.write("# The 3,500 Han characters most frequent in jieba 0.42.1's dict.txt (a character's weight is the sum of\n"
             "# the frequencies of the words that hold it) and their traditional forms from OpenCC s2t: "
             f"{len(chars)} characters.\n# Used to tell GB18030 from Big5 (and from misread Latin-1) when decoding a file: "
             "written by scripts/common_han.py.\n")
    for i in range(0, len(chars), 80):
        fh.write("".join(chars[i:i + 80]) + "\n")
print(len(chars))
