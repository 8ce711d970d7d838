"""What mail clients write above quoted history and below a reply, in many languages.

Each pattern matches one line (or an attribution wrapped over up to three lines, joined with
spaces). English, German, French, Spanish, Italian, Portuguese, Dutch, Russian, Ukrainian,
Polish, Czech, Hungarian, the Nordic languages, Finnish, Japanese, Chinese and Korean.
"""

from __future__ import annotations

import re

_QUOTE = r"^(?>[ \t>]*)"  # an attribution may itself be quoted (atomic: no backtracking)
QUOTED = re.compile(r"^[ \t]*(?:>|\|(?:\s|$)|\w{1,3}>)")  # ">", "| " and supercite "AB>" quotes

# The verb of "<who> wrote:" in each language; a colon (ASCII or full width) ends the line.
_VERBS = (
    r"wrote|writes|schrieb|a\s+écrit|escribió|escreveu|ha\s+scritto|scrisse|schreef"
    r"|написала?|написал\(а\)|написав(?:\(ла\))?|пишет|napisał(?:a|\(a\))?|pisze|napsal\(a\)"
    r"|пише|skrev|kirjoitti|geschreven|írta|写道|寫道|書きました|のメッセージ|님이\s*작성(?:하였습니다|했습니다)?"
)
# A full stop that ends a number or a short abbreviation ("28.", "Fr.", "Apr."), not a sentence.
_ABBREVIATION = r"(?<=\d)\.|(?<=\b\w)\.|(?<=\b\w\w)\.|(?<=\b\w\w\w)\."
# A word of each verb above, lower case: a cheap test before the regexes.
VERB_WORDS = (
    "wrote", "writes", "schrieb", "écrit", "escribió", "escreveu", "scritto", "scrisse",
    "schreef", "написа", "пише", "napisa", "pisze", "napsal", "skrev", "kirjoitti", "geschreven",
    "írta", "写道", "寫道", "書きました", "のメッセージ", "작성",
)  # fmt: skip
# An attribution ends with "<verb> …:" (searched from the verb: the regex engine skips ahead
# to the verbs' first letters), or "<date> Name <a@b>:", or "On <date> … wrote" (no colon).
VERB_END = re.compile(
    rf"(?:{_VERBS})(?P<rest>(?:[^.!?\n]|[.!?](?=\S)|{_ABBREVIATION}){{0,160}}?)[:：]\s*-*\s*$",
    re.I,
)
VERB_COLON = re.compile(rf"(?:{_VERBS})\s*[:：]\s*$", re.I)
ADDRESS_COLON = re.compile(r"<[^<>@\s]+@[^<>\s]+>\s*[:：]\s*$")
ON_WROTE = re.compile(_QUOTE + r"-*\s*On\s.{0,300}\d.{0,200}\swrote\s*-*\s*$", re.I)
DATE_OR_ADDRESS = re.compile(r"[\d@]")
DIGIT = re.compile(r"\d")

# The first words of an attribution ("On <date>", "Am <date>", a date, "<weekday> <day>").
_WORDS = r"On|Am|Le|El|Il|Em|No\s+dia|Op|W\s+dniu|Dnia|Den|Dne|At"
START_WORD = re.compile(_QUOTE + rf"(?:{_WORDS})\b", re.I)
START = re.compile(_QUOTE + rf"(?:{_WORDS}|\d+|\w{{1,4}}\.?,?\s+\d+)\b", re.I)
# A line that may open a wrapped attribution (so may a line with an address or ending in "<").
OPENER = re.compile(START.pattern, re.I)
# Gmail's numeric attribution, sometimes without the colon or the address: "2016-03-03 17:21
# GMT+01:00 Name" or "2013/7/20 Name <a@b>".
NUMERIC_ATTRIBUTION = re.compile(
    _QUOTE + r"\d{4}[/.-]\d{1,2}[/.-]\d{1,2}\b.{0,200}"
    r"(?:GMT[+-]\d{2}:?\d{2}\b.*|<[^<>\s]+@[^<>\s]+>\s*:?)$"
)

_FROM = (
    r"From|De|Von|Van|Da|Od|Fra|Från|От|Від|Lähettäjä|Feladó|Remetente|Mittente|Afzender"
    r"|发件人|寄件者|差出人|送信者|보낸\s*사람"
)
_SUBJECT = (
    r"Subject|Objet|Sujet|Betreff|Onderwerp|Oggetto|Asunto|Assunto|Temat|Emne|Ämne|Тема"
    r"|Aihe|Tárgy|Předmět|主题|主旨|件名|제목"
)
_OTHER = (
    r"Sent|Date|To|Cc|Envoyé(?:\s+le)?|À|A|Copie\s+à|Message\s+du|Gesendet|An|Datum"
    r"|Verzonden|Aan|Inviato|Data|Enviado(?:\s+el)?|Para|Fecha|Wysłano|Wysłane|Do|DW|Sendt"
    r"|Til|Skickat|Till|Dato|Отправлено|Кому|Дата|Надіслано|Lähetetty|Vastaanottaja"
    r"|Elküldve|Címzett|Odesláno|Komu|发送时间|時間|收件人|日期|送信日時|宛先|보낸\s*날짜"
    r"|받는\s*사람|참조"
)
_KEY = (
    r"^(?>[ \t>*\u00a0]*)(?:{})[ \t*\u00a0\u202f]*[:：]"  # French puts a no-break space before ":"
)
FROM_KEY = re.compile(_KEY.format(_FROM), re.I)
SUBJECT_KEY = re.compile(_KEY.format(_SUBJECT), re.I)
HEADER_KEY = re.compile(_KEY.format(f"{_FROM}|{_SUBJECT}|{_OTHER}"), re.I)

_ORIGINAL = (
    r"Original\s+Message|Forwarded\s+message|Message\s+d'origine|Message\s+transféré"
    r"|Ursprüngliche\s+Nachricht|Weitergeleitete\s+Nachricht|Oorspronkelijk\s+bericht"
    r"|Doorgestuurd\s+bericht|Messaggio\s+originale|Messaggio\s+inoltrato|Mensaje\s+original"
    r"|Mensaje\s+reenviado|Mensagem\s+original|Mensagem\s+encaminhada|Исходное\s+сообщение"
    r"|Пересылаемое\s+сообщение|Wiadomość\s+oryginalna|Oryginalna\s+wiadomość"
    r"|Oprindelig\s+(?:meddelelse|besked)|Ursprungligt\s+meddelande|Opprinnelig\s+melding"
    r"|Alkuperäinen\s+viesti|Původní\s+zpráva|Eredeti\s+üzenet|原始邮件|原始郵件|転送メッセージ"
    r"|元のメッセージ|원본\s*메시지|전달된\s*메시지"
)
SEPARATOR = re.compile(
    _QUOTE + rf"(?>[*_\s-]*)(?:{_ORIGINAL})(?>[*_\s-]*)$"
    r"|" + _QUOTE + r"(?:Begin\s+forwarded\s+message|Anfang\s+der\s+weitergeleiteten\s+Nachricht"
    r"|Début\s+du\s+message\s+(?:réexpédié|transféré)|Inicio\s+del\s+mensaje\s+reenviado"
    r"|Início\s+da\s+mensagem\s+(?:reencaminhada|encaminhada)|Inizio\s+messaggio\s+inoltrato"
    r"|Begin\s+doorgestuurd\s+bericht)\s*:\s*$",
    re.I,
)
RULE = re.compile(r"^[ \t]*[*_=-]{4,}[ \t]*$")  # counts only right above a header block
LONG_UNDERSCORES = re.compile(r"^[ \t]*_{20,}[ \t]*$")  # counts after a blank line

# The "-- " delimiter (often sent without its space, or as "__").
SIGNATURE = re.compile(r"^[ \t]*(?:--|__)[ \t]*$")
DEVICE = re.compile(
    r"^[ \t]*(?:Sent\s+from\s+my|Sent\s+from\s+(?:Mail|Outlook|Yahoo)\b|Get\s+Outlook\s+for"
    r"|Envoyé\s+de\s+mon|Envoyé\s+depuis|Envoyé\s+à\s+partir\s+de|Obtenir\s+Outlook\s+pour"
    r"|Outlook\s+für\s+\w+\s+herunterladen|Von\s+Outlook\s+für|Von\s+meinem|Gesendet\s+von|Enviado\s+desde\s+mi"
    r"|Enviado\s+do\s+meu|Enviado\s+de\s+meu|Inviato\s+da|Verzonden\s+(?:vanaf|met)\s+mijn"
    r"|Verstuurd\s+vanaf\s+mijn|Отправлено\s+(?:с|из)|Надіслано\s+з|Wysłane\s+z|Wysłano\s+z"
    r"|Sendt\s+fra|Skickat\s+från|Lähetetty\s+(?:iPhonesta|laitteesta)|Odesláno\s+z"
    r"|从我的|發自我的|发自我的|iPhoneから送信|Androidから送信|내\s+\S+에서\s+보냄)"
    r"[\w .'’()-]{0,40}(?:<[^<>\s]*>)?$"
    r"|^[ \t]*Sent\s+from\s+\S+(?:\s+\S+)?\s*(?:<[^<>\s]*>)?$",
    re.I,
)

# How device lines begin, lower case (a cheap test before DEVICE).
DEVICE_WORDS = (
    "sent ", "get outlook", "envoyé", "obtenir", "outlook", "von ", "gesendet", "enviado",
    "inviato", "verzonden", "verstuurd", "отправлено", "надіслано", "wysłane", "wysłano",
    "sendt", "skickat", "lähetetty", "odesláno", "从我的", "發自", "发自", "iphone", "android",
    "내 ",
)  # fmt: skip
