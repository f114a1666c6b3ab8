"""Generate a deterministic corpus of support e-mail for the ingestion benchmark.

The corpus is a stream: message ``i`` depends only on the seed and on the
messages before it, so the first N files of a 10,000-message corpus are the
N-message corpus. Benchmarks at smaller sizes use a prefix of the same files.

Each message is one of five kinds:

- ``new``: a client opens a case (plain text, HTML only, or both, sometimes
  with attachments, often with RFC 2047 encoded Portuguese, German or Japanese
  names and subjects);
- ``reply``: a client or a colleague answers an earlier generated ``new`` or
  ``reply`` message. Replies thread through In-Reply-To and References only,
  because ``CS-<n>`` numbers are assigned at import time and so cannot appear
  in a generated subject;
- ``auto_reply``: an out-of-office answer (``Auto-Submitted: auto-replied``)
  to an earlier message;
- ``bounce``: a ``multipart/report`` delivery status notification whose
  returned headers carry the Message-ID of an earlier generated message;
- ``list``: bulk mail with ``List-Id`` and ``Precedence: bulk``.

Every file is valid UTF-8 (8-bit UTF-8 or 7-bit encodings), so tools that
read mail as text can take all of it. ISO-8859-1 bodies are sent
quoted-printable for that reason.

Run ``python bench/corpus.py OUT_DIR --messages N`` to write a corpus alone.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import struct
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage, Message, MIMEPart
from email.utils import format_datetime, formataddr
from html import escape as html_escape
from pathlib import Path

GENERATOR_VERSION = 1
DEFAULT_SEED = 20240601
SUPPORT_ADDRESS = "support@relaydesk.example"
START = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)

# Kind probabilities once the corpus has a few threads to reply to.
KIND_WEIGHTS = {"new": 0.50, "reply": 0.36, "auto_reply": 0.05, "bounce": 0.04, "list": 0.05}
HTML_ONLY_RATE = 0.10
ALTERNATIVE_RATE = 0.15
ATTACHMENT_RATE = 0.10
LARGE_ATTACHMENT_RATE = 0.06  # share of messages with attachments
LATIN1_RATE = 0.20  # share of Portuguese and German plain-text bodies

FIRST_NAMES = {
    "pt": ["João", "Ana", "Inês", "Gonçalo", "Conceição", "Tomás", "Leonor", "Sérgio"],
    "de": ["Jürgen", "Käthe", "Günther", "Jörg", "Björn", "Anja", "Süleyman", "Heike"],
    "ja": ["太郎", "花子", "健太", "美咲", "翔太", "陽菜", "大輔", "さくら"],
    "en": ["Alice", "Brian", "Chloe", "Daniel", "Emma", "Frank", "Grace", "Henry"],
}
LAST_NAMES = {
    "pt": ["Gonçalves", "Conceição", "Simões", "Magalhães", "Araújo", "Lourenço", "Brandão"],
    "de": ["Müller", "Schäfer", "Größ", "Weiß", "Köhler", "Bäcker", "Fuß"],
    "ja": ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺"],
    "en": ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walker"],
}
ROMAJI = {
    "太郎": "taro",
    "花子": "hanako",
    "健太": "kenta",
    "美咲": "misaki",
    "翔太": "shota",
    "陽菜": "hina",
    "大輔": "daisuke",
    "さくら": "sakura",
    "山田": "yamada",
    "佐藤": "sato",
    "鈴木": "suzuki",
    "高橋": "takahashi",
    "田中": "tanaka",
    "伊藤": "ito",
    "渡辺": "watanabe",
}
SUBJECTS = {
    "pt": [
        "Não consigo exportar as faturas de março",
        "Erro ao emitir guia de transporte",
        "Sincronização das encomendas está parada",
        "Pedido de acesso para nova colaboradora",
        "Relatório mensal com valores errados",
    ],
    "de": [
        "Größenänderung der Anhänge schlägt fehl",
        "Rechnungsexport bricht ab",
        "Zugang für neuen Mitarbeiter benötigt",
        "Schnittstelle liefert keine Aufträge mehr",
        "Fehlerhafte Umlaute im Lieferschein",
    ],
    "ja": [
        "ログインできません",
        "請求書のエクスポートが失敗します",
        "API の応答が遅いです",
        "新しいユーザーの追加について",
        "データ同期が止まっています",
    ],
    "en": [
        "Cannot export March invoices",
        "Webhook deliveries failing since this morning",
        "Please add a new user to our account",
        "Report totals do not match the ledger",
        "Password reset e-mail never arrives",
    ],
}
BODIES = {
    "pt": "Bom dia,\n\nDesde ontem o sistema mostra um erro quando tentamos {task}. "
    "Já tentámos noutro navegador e o problema mantém-se.\n\nObrigado,\n{name}\n",
    "de": "Guten Tag,\n\nseit gestern erscheint eine Fehlermeldung, wenn wir {task}. "
    "Ein anderer Browser ändert nichts daran.\n\nMit freundlichen Grüßen\n{name}\n",
    "ja": "お世話になっております。\n\n昨日から{task}とエラーが表示されます。"
    "別のブラウザでも同じです。\n\nよろしくお願いいたします。\n{name}\n",
    "en": "Hello,\n\nSince yesterday we get an error whenever we {task}. "
    "Another browser behaves the same.\n\nThanks,\n{name}\n",
}
TASKS = {
    "pt": ["exportar faturas", "abrir o relatório", "gravar a encomenda", "entrar na conta"],
    "de": ["Rechnungen exportieren", "den Bericht öffnen", "Aufträge speichern"],
    "ja": ["請求書を出力する", "レポートを開く", "注文を保存する"],
    "en": ["export invoices", "open the report", "save an order", "sign in"],
}
REPLY_PREFIX = {"pt": "Res: ", "de": "AW: ", "ja": "Re: ", "en": "Re: "}
REPLY_TEXT = {
    "pt": "Olá,\n\nMais informação: o erro acontece também no telemóvel.\n\n{name}\n",
    "de": "Hallo,\n\nnoch ein Hinweis: der Fehler tritt auch mobil auf.\n\n{name}\n",
    "ja": "追加情報です。スマートフォンでも同じエラーが出ます。\n\n{name}\n",
    "en": "Hi,\n\nOne more detail: it also happens on mobile.\n\n{name}\n",
}
AUTO_REPLY_SUBJECT = {
    "pt": "Resposta automática: ",
    "de": "Abwesenheitsnotiz: ",
    "ja": "自動応答: ",
    "en": "Automatic reply: ",
}
ORGANIZATIONS = [
    ("Ferreira Logística", "ferreira-logistica.example", "pt"),
    ("Banco Atlântico", "banco-atlantico.example", "pt"),
    ("Müller Maschinenbau", "mueller-maschinenbau.example", "de"),
    ("Stadtwerke Nord", "stadtwerke-nord.example", "de"),
    ("Sakura Systems", "sakura-systems.example", "ja"),
    ("Northwind Retail", "northwind-retail.example", "en"),
    ("Acme Analytics", "acme-analytics.example", "en"),
    ("Bluepeak Health", "bluepeak-health.example", "en"),
]
ORGANIZATION_NAMES = {domain: name for name, domain, _ in ORGANIZATIONS}
# Senders whose domain belongs to no organization.
FREEMAIL_DOMAINS = ["freemail.example", "post.example"]
CONTACTS_PER_DOMAIN = 30
MAILERS = ["Microsoft Outlook 16.0", "Apple Mail (2.3731)", "Thunderbird 115.8.1", "Roundcube 1.6"]
SIGNATURE = (
    "\n-- \n{name}\n{organization}\nTel. +351 210 000 {extension:03d}\n\n"
    "This e-mail and any attachments are confidential and intended solely for the "
    "addressee. If you received it in error, please tell the sender and delete it.\n"
)


@dataclass(frozen=True)
class Sender:
    name: str
    address: str
    locale: str
    domain: str


@dataclass
class ThreadMessage:
    """A generated ``new`` or ``reply`` message that later mail may answer."""

    message_id: str
    subject: str
    references: list[str]
    sender: Sender
    text: str


@dataclass
class Entry:
    file: str
    kind: str
    message_id: str
    parent: str | None
    features: list[str] = field(default_factory=list)


def _ascii_local(name: str) -> str:
    """Turn a display name into an ASCII local part: "Jörg Weiß" -> "jorg.weiss"."""
    parts = [ROMAJI.get(part, part).replace("ß", "ss") for part in name.split()]
    folded = [unicodedata.normalize("NFKD", part).encode("ascii", "ignore") for part in parts]
    return ".".join(part.decode().lower() for part in folded)


def build_senders(rng: random.Random) -> list[Sender]:
    """Create the sender population: organization staff plus unaffiliated people."""
    senders: list[Sender] = []
    domains = [(domain, locale) for _, domain, locale in ORGANIZATIONS]
    domains += [(domain, "") for domain in FREEMAIL_DOMAINS]
    for domain, locale in domains:
        seen: set[str] = set()
        for number in range(CONTACTS_PER_DOMAIN):
            sender_locale = locale or rng.choice(list(FIRST_NAMES))
            first = rng.choice(FIRST_NAMES[sender_locale])
            last = rng.choice(LAST_NAMES[sender_locale])
            name = f"{last} {first}" if sender_locale == "ja" else f"{first} {last}"
            local = _ascii_local(name)
            if local in seen:
                local = f"{local}{number}"
            seen.add(local)
            senders.append(Sender(name, f"{local}@{domain}", sender_locale, domain))
    return senders


def png_bytes(rng: random.Random, width: int, height: int) -> bytes:
    """Return a valid RGB PNG; random pixels keep it from compressing."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


def pdf_bytes(rng: random.Random, lines: int) -> bytes:
    """Return a small one-page PDF with a valid cross-reference table."""
    text = " ".join(f"(Line {n} ref {rng.randrange(10**6):06d}) Tj T*" for n in range(lines))
    stream = f"BT /F1 10 Tf 12 TL 40 800 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class CorpusGenerator:
    """Produce messages one at a time; see the module docstring for the kinds."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.rng = random.Random(seed)
        self.senders = build_senders(self.rng)
        self.threads: list[ThreadMessage] = []
        self.index = 0

    def next_message(self) -> tuple[bytes, Entry]:
        self.index += 1
        kind = self._choose_kind()
        message, entry = getattr(self, f"_make_{kind}")()
        message["Date"] = format_datetime(START + timedelta(seconds=97 * self.index))
        # The email package draws boundaries from the global random module, so
        # they are set here to keep the output byte-for-byte reproducible.
        multiparts = (part for part in message.walk() if part.is_multipart())
        for number, part in enumerate(multiparts):
            part.set_boundary(f"=_bench_{self.index}_{number}")
        return message.as_bytes(policy=policy.default), entry

    def _choose_kind(self) -> str:
        if len(self.threads) < 5:
            return "new"
        kinds = list(KIND_WEIGHTS)
        return self.rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]

    def _message_id(self, domain: str) -> str:
        return f"<bench.{self.index}.{self.rng.getrandbits(48):012x}@{domain}>"

    def _entry(self, kind: str, message_id: str, parent: str | None = None) -> Entry:
        return Entry(f"{self.index:06d}.eml", kind, message_id, parent)

    def _pick_parent(self) -> ThreadMessage:
        # Most replies answer recent conversations; some revive old ones.
        if self.rng.random() < 0.8:
            return self.rng.choice(self.threads[-400:])
        return self.rng.choice(self.threads)

    def _make_new(self) -> tuple[EmailMessage, Entry]:
        sender = self.rng.choice(self.senders)
        subject = self.rng.choice(SUBJECTS[sender.locale])
        task = self.rng.choice(TASKS[sender.locale])
        text = BODIES[sender.locale].format(task=task, name=sender.name) + self._signature(sender)
        message = self._headers(sender, subject)
        entry = self._entry("new", message["Message-ID"])
        self._set_body(message, entry, sender, text)
        self.threads.append(ThreadMessage(entry.message_id, subject, [], sender, text))
        return message, entry

    def _make_reply(self) -> tuple[EmailMessage, Entry]:
        parent = self._pick_parent()
        colleagues = [s for s in self.senders if s.domain == parent.sender.domain]
        sender = parent.sender if self.rng.random() < 0.7 else self.rng.choice(colleagues)
        subject = REPLY_PREFIX[sender.locale] + parent.subject
        message = self._headers(sender, subject)
        entry = self._entry("reply", message["Message-ID"], parent.message_id)
        references = (parent.references + [parent.message_id])[-10:]
        self._set_thread_headers(message, entry, parent.message_id, references)
        quoted = "".join(f"> {line}\n" for line in parent.text.splitlines()[:60])
        text = REPLY_TEXT[sender.locale].format(name=sender.name) + self._signature(sender)
        text += f"\n{parent.sender.name} wrote:\n{quoted}"
        self._set_body(message, entry, sender, text)
        self.threads.append(ThreadMessage(entry.message_id, subject, references, sender, text))
        return message, entry

    def _signature(self, sender: Sender) -> str:
        organization = ORGANIZATION_NAMES.get(sender.domain, "")
        extension = self.rng.randrange(1000)
        return SIGNATURE.format(name=sender.name, organization=organization, extension=extension)

    def _set_thread_headers(
        self, message: EmailMessage, entry: Entry, parent_id: str, references: list[str]
    ) -> None:
        roll = self.rng.random()
        if roll < 0.08:
            entry.features.append("references_only")
            message["References"] = " ".join(references)
        elif roll < 0.16:
            entry.features.append("in_reply_to_only")
            message["In-Reply-To"] = parent_id
        else:
            message["In-Reply-To"] = parent_id
            message["References"] = " ".join(references)

    def _make_auto_reply(self) -> tuple[EmailMessage, Entry]:
        parent = self._pick_parent()
        sender = parent.sender
        subject = AUTO_REPLY_SUBJECT[sender.locale] + parent.subject
        message = self._headers(sender, subject)
        message["In-Reply-To"] = parent.message_id
        message["Auto-Submitted"] = "auto-replied"
        message["X-Auto-Response-Suppress"] = "All"
        entry = self._entry("auto_reply", message["Message-ID"], parent.message_id)
        if not (sender.name + subject).isascii():
            entry.features.append("non_ascii_headers")
        message.set_content(f"I am out of the office until next Monday.\n\n{sender.name}\n")
        return message, entry

    def _make_bounce(self) -> tuple[EmailMessage, Entry]:
        parent = self._pick_parent()
        domain = parent.sender.domain
        message = EmailMessage()
        message["From"] = formataddr(("Mail Delivery System", f"mailer-daemon@mx.{domain}"))
        message["To"] = SUPPORT_ADDRESS
        message["Subject"] = "Undelivered Mail Returned to Sender"
        message["Message-ID"] = self._message_id(f"mx.{domain}")
        message["Auto-Submitted"] = "auto-replied"
        entry = self._entry("bounce", message["Message-ID"], parent.message_id)
        message.set_content(
            f"This is the mail system at mx.{domain}.\n\nYour message could not be delivered "
            f"to {parent.sender.address}: the mailbox does not exist.\n"
        )
        message.make_mixed()
        message.set_type("multipart/report")
        message.set_param("report-type", "delivery-status")
        message.attach(_dsn_part(domain, parent))
        message.attach(_raw_part("text/rfc822-headers", _returned_headers(parent)))
        return message, entry

    def _make_list(self) -> tuple[EmailMessage, Entry]:
        vendor = self.rng.choice(["status.cloudvendor.example", "news.toolmaker.example"])
        message = EmailMessage()
        message["From"] = formataddr(("Vendor Newsletter", f"newsletter@{vendor}"))
        message["To"] = SUPPORT_ADDRESS
        message["Subject"] = f"Weekly digest #{self.index}"
        message["Message-ID"] = self._message_id(vendor)
        message["List-Id"] = f"Weekly digest <digest.{vendor}>"
        message["List-Unsubscribe"] = f"<mailto:unsubscribe@{vendor}>"
        message["Precedence"] = "bulk"
        entry = self._entry("list", message["Message-ID"])
        message.set_content("This week: maintenance windows and release notes.\n")
        message.add_alternative("<p>This week: <b>maintenance windows</b>.</p>", subtype="html")
        return message, entry

    def _headers(self, sender: Sender, subject: str) -> EmailMessage:
        message = EmailMessage()
        self._add_transport_headers(message, sender.domain)
        message["From"] = formataddr((sender.name, sender.address))
        message["To"] = SUPPORT_ADDRESS
        message["Subject"] = subject
        message["Message-ID"] = self._message_id(sender.domain)
        message["MIME-Version"] = "1.0"
        message["X-Mailer"] = self.rng.choice(MAILERS)
        return message

    def _add_transport_headers(self, message: EmailMessage, domain: str) -> None:
        """Add the Received and DKIM-Signature headers that real inbound mail carries."""
        when = format_datetime(START + timedelta(seconds=97 * self.index))
        host = f"192.0.2.{self.rng.randrange(1, 255)}"
        message["Received"] = (
            f"from mx.{domain} (mx.{domain} [{host}]) by mx.relaydesk.example "
            f"with ESMTPS id {self.rng.getrandbits(40):010x}; {when}"
        )
        message["Received"] = f"from workstation.{domain} by mx.{domain} with ESMTPSA; {when}"
        body_hash = base64.b64encode(self.rng.randbytes(32)).decode()
        # DKIM allows folding whitespace inside b=; without it the email
        # package would RFC 2047-encode the overlong token.
        encoded = base64.b64encode(self.rng.randbytes(256)).decode()
        signature = " ".join(encoded[start : start + 60] for start in range(0, len(encoded), 60))
        message["DKIM-Signature"] = (
            f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=mail; "
            f"h=from:to:subject:date:message-id; bh={body_hash}; b={signature}"
        )

    def _set_body(self, message: EmailMessage, entry: Entry, sender: Sender, text: str) -> None:
        if not (sender.name + str(message["Subject"])).isascii():
            entry.features.append("non_ascii_headers")
        paragraphs = "".join(f"<p>{html_escape(line)}</p>" for line in text.splitlines())
        html = f"<html><body>{paragraphs}</body></html>"
        roll = self.rng.random()
        if roll < HTML_ONLY_RATE:
            entry.features.append("html_only")
            message.set_content(html, subtype="html")
        else:
            self._set_plain(message, entry, sender, text)
            if roll < HTML_ONLY_RATE + ALTERNATIVE_RATE:
                entry.features.append("alternative")
                message.add_alternative(html, subtype="html")
        if self.rng.random() < ATTACHMENT_RATE:
            self._attach(message, entry, sender)

    def _set_plain(self, message: EmailMessage, entry: Entry, sender: Sender, text: str) -> None:
        wants_latin1 = sender.locale in ("pt", "de") and self.rng.random() < LATIN1_RATE
        if wants_latin1 and _encodes(text, "iso-8859-1"):
            entry.features.append("latin1_body")
            message.set_content(text, charset="iso-8859-1", cte="quoted-printable")
        else:
            message.set_content(text)

    def _attach(self, message: EmailMessage, entry: Entry, sender: Sender) -> None:
        entry.features.append("attachment")
        if self.rng.random() < LARGE_ATTACHMENT_RATE:
            entry.features.append("large_attachment")
            data = png_bytes(self.rng, 240, self.rng.randrange(150, 400))
            message.add_attachment(data, "image", "png", filename="captura-de-ecrã.png")
            return
        if self.rng.random() < 0.5:
            names = {"pt": "fatura-março.pdf", "de": "Übersicht.pdf", "ja": "請求書.pdf"}
            name = names.get(sender.locale, "invoice.pdf")
            data = pdf_bytes(self.rng, self.rng.randrange(5, 40))
            message.add_attachment(data, "application", "pdf", filename=name)
        else:
            data = png_bytes(self.rng, 32, self.rng.randrange(16, 48))
            message.add_attachment(data, "image", "png", filename="screenshot.png")


def _encodes(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def _raw_part(content_type: str, body: str) -> MIMEPart:
    part = MIMEPart(policy=policy.default)
    part["Content-Type"] = content_type
    part["Content-Transfer-Encoding"] = "7bit"
    part.set_payload(body)
    return part


def _dsn_part(domain: str, parent: ThreadMessage) -> MIMEPart:
    """Build message/delivery-status: a per-message block, then one per recipient."""
    per_message = Message(policy=policy.default)
    per_message["Reporting-MTA"] = f"dns; mx.{domain}"
    per_recipient = Message(policy=policy.default)
    per_recipient["Final-Recipient"] = f"rfc822; {parent.sender.address}"
    per_recipient["Action"] = "failed"
    per_recipient["Status"] = "5.1.1"
    per_recipient["Diagnostic-Code"] = "smtp; 550 5.1.1 mailbox unavailable"
    part = MIMEPart(policy=policy.default)
    part["Content-Type"] = "message/delivery-status"
    part.set_payload([per_message, per_recipient])
    return part


def _returned_headers(parent: ThreadMessage) -> str:
    return (
        f"From: {SUPPORT_ADDRESS}\n"
        f"To: {parent.sender.address}\n"
        f"Message-ID: {parent.message_id}\n"
        "Subject: Your request\n"
    )


def generate(out_dir: Path, count: int, seed: int = DEFAULT_SEED) -> list[Entry]:
    """Write ``count`` messages as ``NNNNNN.eml`` plus ``manifest.jsonl`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    generator = CorpusGenerator(seed)
    entries = []
    with (out_dir / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for _ in range(count):
            content, entry = generator.next_message()
            (out_dir / entry.file).write_bytes(content)
            manifest.write(json.dumps(entry.__dict__) + "\n")
            entries.append(entry)
    return entries


def load_manifest(corpus_dir: Path, limit: int | None = None) -> list[Entry]:
    entries = []
    with (corpus_dir / "manifest.jsonl").open(encoding="utf-8") as manifest:
        for line in manifest:
            if limit is not None and len(entries) >= limit:
                break
            entries.append(Entry(**json.loads(line)))
    return entries


def describe_mix(entries: list[Entry], corpus_dir: Path | None = None) -> dict[str, object]:
    """Count messages per kind and per feature, and the size range when files are at hand."""
    mix: dict[str, object] = {
        "messages": len(entries),
        "kinds": dict(Counter(entry.kind for entry in entries)),
        "features": dict(Counter(f for entry in entries for f in entry.features)),
        "senders_domains": len(ORGANIZATIONS) + len(FREEMAIL_DOMAINS),
        "organizations": len(ORGANIZATIONS),
    }
    if corpus_dir is not None:
        sizes = sorted((corpus_dir / entry.file).stat().st_size for entry in entries)
        mix["bytes_total"] = sum(sizes)
        mix["bytes_median"] = sizes[len(sizes) // 2]
        mix["bytes_max"] = sizes[-1]
        mix["over_100kb"] = sum(1 for size in sizes if size > 100 * 1024)
    return mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the .eml files into")
    parser.add_argument("--messages", type=int, default=10_000, help="number of messages")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args()
    entries = generate(args.out_dir, args.messages, args.seed)
    print(json.dumps(describe_mix(entries, args.out_dir), indent=2))


if __name__ == "__main__":
    main()
