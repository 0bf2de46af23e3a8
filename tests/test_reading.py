"""analyser.reading: decoding bytes in the encodings statements come in, and refusing non-text."""
from __future__ import annotations

import builtins
import codecs
import io
import random
import struct
import sys
import zlib

import pytest

from analyser import reading
from analyser.errors import InputError
from analyser.reading import decode, read_path

ZH_HANS = "今天下午，由于上海机房光缆被挖断，部分用户无法登录微信，工程师正在紧急抢修。"
ZH_HANT = "本公司行動網路於今日上午發生異常，部分用戶無法撥打電話，工程師正在全力搶修。"
FR = "Suite à une panne, le trafic est interrompu : « reprise estimée » vers 10 h. Nous nous excusons pour la gêne occasionnée — c’est notre faute."
DE = "Die Störung im Rechenzentrum ist behoben. Wir bitten um Ihr Verständnis für die Unannehmlichkeiten – „Entschuldigung“ für die Verzögerung."
EN = "Card payments failed between 14:05 and 14:50 GMT. We’re sorry."

# (case id, original text, bytes as a user's file would hold them)
# fmt: off
ENCODED = [
    ("utf8",            EN,      EN.encode("utf-8")),
    ("utf8-zh",         ZH_HANS, ZH_HANS.encode("utf-8")),
    ("utf8-bom",        FR,      codecs.BOM_UTF8 + FR.encode("utf-8")),
    ("utf8-bom-zh",     ZH_HANT, codecs.BOM_UTF8 + ZH_HANT.encode("utf-8")),
    ("utf16le-bom",     DE,      codecs.BOM_UTF16_LE + DE.encode("utf-16-le")),
    ("utf16be-bom",     DE,      codecs.BOM_UTF16_BE + DE.encode("utf-16-be")),
    ("utf16le-bom-zh",  ZH_HANS, codecs.BOM_UTF16_LE + ZH_HANS.encode("utf-16-le")),
    ("utf16be-bom-zh",  ZH_HANT, codecs.BOM_UTF16_BE + ZH_HANT.encode("utf-16-be")),
    ("utf16le-nobom",   EN,      EN.encode("utf-16-le")),
    ("utf16le-nobom-fr", FR,     FR.encode("utf-16-le")),
    ("utf32le-bom",     ZH_HANS, codecs.BOM_UTF32_LE + ZH_HANS.encode("utf-32-le")),
    ("gbk",             ZH_HANS, ZH_HANS.encode("gbk")),
    ("gb18030",         ZH_HANS, ZH_HANS.encode("gb18030")),
    ("big5",            ZH_HANT, ZH_HANT.encode("big5")),
    ("cp1252-fr",       FR,      FR.encode("cp1252")),
    ("cp1252-de",       DE,      DE.encode("cp1252")),
    # posts of a few words, where a statistical detector has too little to go on
    ("gb18030-short",   "服务器故障，正在抢修。", "服务器故障，正在抢修。".encode("gb18030")),
    ("big5-short",      "對不起，系統出現問題。", "對不起，系統出現問題。".encode("big5")),
    ("utf16le-nobom-zh-short", "服务器故障", "服务器故障".encode("utf-16-le")),
    ("latin1-short-fr", "Désolés pour la gêne.", "Désolés pour la gêne.".encode("latin-1")),
    ("cp1252-short-de", "Über 1000 Kunden betroffen.", "Über 1000 Kunden betroffen.".encode("cp1252")),
    ("cp1252-short-es", "¡Gracias por esperar!", "¡Gracias por esperar!".encode("cp1252")),
    ("latin1-ends-accented", "Actualización", "Actualización".encode("latin-1")),
]
# fmt: on


def _png(width: int, height: int) -> bytes:
    """A real, valid PNG file with pseudo-random pixels."""
    rng = random.Random(width * 1000 + height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(width * 3)) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


_RNG = random.Random(20240512)
BINARY = [
    ("png-1x1", _png(1, 1)),
    ("png-16x16", _png(16, 16)),
    ("random-with-nuls", bytes(_RNG.randrange(256) for _ in range(2048)) + b"\x00" * 16),
    ("nuls-only", b"\x00" * 64),
    ("elf-header", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + bytes(range(256))),
]


@pytest.mark.parametrize("case,text,data", ENCODED, ids=[c[0] for c in ENCODED])
def test_decode_round_trips(case, text, data):
    decoded, _ = decode(data)
    assert decoded == text


@pytest.mark.parametrize("case,text,data", ENCODED, ids=[c[0] for c in ENCODED])
def test_decode_names_a_python_codec(case, text, data):
    _, encoding = decode(data)
    assert codecs.lookup(encoding)


@pytest.mark.parametrize("case,text,data", ENCODED, ids=[c[0] for c in ENCODED])
def test_read_path_round_trips(tmp_path, case, text, data):
    path = tmp_path / f"{case}.txt"
    path.write_bytes(data)
    assert read_path(path) == text


def test_read_path_accepts_a_string_path(tmp_path):
    path = tmp_path / "statement.txt"
    path.write_text(EN, encoding="utf-8")
    assert read_path(str(path)) == EN


def test_read_path_dash_reads_stdin_bytes(monkeypatch):
    fake = io.TextIOWrapper(io.BytesIO(ZH_HANS.encode("gbk")))
    monkeypatch.setattr(sys, "stdin", fake)
    assert read_path("-") == ZH_HANS


@pytest.mark.parametrize("case,data", BINARY, ids=[b[0] for b in BINARY])
def test_decode_refuses_binary(case, data):
    with pytest.raises(InputError, match="binary"):
        decode(data)


@pytest.mark.parametrize("case,data", BINARY, ids=[b[0] for b in BINARY])
def test_read_path_refuses_binary_file(tmp_path, case, data):
    path = tmp_path / f"{case}.bin"
    path.write_bytes(data)
    with pytest.raises(InputError, match="binary"):
        read_path(path)


def test_utf8_cut_inside_its_last_character_drops_that_character():
    data = ZH_HANS.encode("utf-8")[:-1]  # "。" is three bytes: two are left
    assert decode(data) == (ZH_HANS[:-1], "utf-8")


def test_decode_refuses_broken_bom_text():
    with pytest.raises(InputError, match="byte-order mark"):
        decode(codecs.BOM_UTF8 + b"caf\xe9 \xff\xfe")


def test_missing_path_names_the_file(tmp_path):
    path = tmp_path / "no-such-statement.txt"
    with pytest.raises(InputError, match="no such file") as info:
        read_path(path)
    assert "no-such-statement.txt" in str(info.value)


@pytest.mark.parametrize("name", ["a" * 5000, "loop"])
def test_a_path_the_os_cannot_resolve_is_an_input_error(tmp_path, name):
    if name == "loop":
        (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(InputError, match="cannot read"):
        read_path(tmp_path / name)


def test_directory_is_refused(tmp_path):
    with pytest.raises(InputError, match="directory") as info:
        read_path(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_unreadable_file_chmod(locked_file):
    with pytest.raises(InputError, match="permission denied") as info:
        read_path(locked_file)
    assert "locked.txt" in str(info.value)


@pytest.mark.parametrize("error, message", [
    (PermissionError(13, "Permission denied"), "permission denied"),  # where chmod cannot stop the test (root)
    (OSError(5, "Input/output error"), "Input/output error"),
])
def test_os_errors_while_reading_are_input_errors_naming_the_file(tmp_path, monkeypatch, error, message):
    path = tmp_path / "locked.txt"
    path.write_text(EN, encoding="utf-8")

    def failing(file, *args, **kwargs):
        if str(file) == str(path):
            raise type(error)(error.errno, error.strerror, str(file))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(reading, "open", failing, raising=False)
    with pytest.raises(InputError, match=message) as info:
        read_path(path)
    assert "locked.txt" in str(info.value)


def test_oversized_file_is_refused_not_truncated(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_BYTES", 16)
    path = tmp_path / "long.txt"
    path.write_text(EN, encoding="utf-8")
    with pytest.raises(InputError, match="larger than"):
        read_path(path)
