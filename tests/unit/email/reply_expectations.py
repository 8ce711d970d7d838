# ruff: noqa: E501  (one line per sample: the reason stays next to its sample)
"""Our expectations for the reply-quotes corpus, written from reading each sample.

``OURS``: samples upstream states no exact visible text for. ``OVERRIDES``: samples where we
disagree with upstream. Each value is ``(expected, reason)``; ``expected`` is the number of
leading input lines that are the visible reply, a range of input lines (0-based, as a slice)
or a list of them, or the literal text.

The policy behind them: the visible reply is what the sender wrote in this mail. Quoted history,
its attribution line(s) ("On … wrote:", also wrapped over several lines), Outlook header blocks
and separators, forwarded blocks, the "-- " signature and device lines ("Sent from my iPhone")
go. A closing ("Thanks,\\nJan", "-Abhishek") stays: it is part of what the sender typed, and
guessing it away risks losing content.
"""

from __future__ import annotations

Expected = int | range | list[range] | str
ALL = 1_000_000  # every line of the input

C = "crisp-email-reply-parser/"
M = "mail-parser-reply/"
D = "discourse-email_reply_trimmer/"

LANGUAGES: dict[str, str] = {
    C + "email_7.txt": "it",
    C + "email_8.txt": "nl",
    C + "email_9.txt": "fr",
    C + "email_10.txt": "fr",
    C + "email_11.txt": "fr",
    C + "email_12.txt": "nl",
    C + "email_13.txt": "it",
    C + "email_14.txt": "pl",
    C + "email_16.txt": "pl",
    C + "email_17.txt": "pl",
    C + "email_ios_outlook_fr.txt": "fr",
    C + "email_tricky_5_mixed_languages.txt": "fr",
    C + "email_customer_quote_header_3.txt": "fr",
    C + "email_custom_quote_header.txt": "hu",
    M + "email_ja_1_1.txt": "ja",
    M + "email_ja_1_2.txt": "ja",
}

OURS: dict[str, tuple[Expected, str]] = {
    C + "correct_sig.txt": (1, "the '--' signature goes"),
    C + "email_19.txt": (
        3,
        "wrapped Gmail attribution over three lines; 'Sent from a …' is the sender's text, not a device line",
    ),
    C + "email_20.txt": (1, "a trailing quoted block with its attribution goes"),
    C + "email_21.txt": (ALL, "'On Thursday:' lines are text, no quote follows"),
    C + "email_2_1.txt": (1, "Outlook separator and *From:*/*Sent:* block go"),
    C + "email_4.txt": (1, "attribution and quote go"),
    C + "email_5.txt": (ALL, "nothing quoted; '- ' bullets are not a signature"),
    C + "email_6.txt": (
        3,
        "wrapped Gmail attribution; 'Sent a magnificent …' is the sender's text",
    ),
    C + "email_blackberry.txt": (1, "device line goes"),
    C + "email_bullets.txt": (9, "attribution, quote and '--' signature go; indented bullets kept"),
    C + "email_custom_quote_header.txt": (1, "Hungarian attribution ('… írta:') and quote go"),
    C + "email_customer_quote_header_2.txt": (1, "Outlook From:/Sent:/To:/Subject: block goes"),
    C + "email_customer_quote_header_3.txt": (
        3,
        "indented French Outlook block (De :/À :/Envoyé le :) goes",
    ),
    C + "email_iphone.txt": (1, "device line goes"),
    C + "email_multi_word_sent_from_my_mobile_device.txt": (1, "device line goes"),
    C + "email_not_a_signature.txt": (
        ALL,
        "a dashed table rule inside the text is not a separator",
    ),
    C + "email_not_a_signature_2.txt": (ALL, "'-- ' list items are not a signature delimiter line"),
    C + "email_one_is_not_on.txt": (5, "'One …' is not 'On … wrote:'"),
    C + "email_reply_header.txt": (
        11,
        "the 'On …' text lines stay; the wrapped attribution below goes",
    ),
    C + "email_sent_from_my_not_signature.txt": (
        ALL,
        "'Sent from my desk, …' is a sentence, not a device line",
    ),
    C + "email_thread.txt": (1, "attribution wrapped over three lines goes"),
    C + "email_tricky_11_double_signature.txt": (
        4,
        "the closing stays; '--' signature and device line go",
    ),
    C + "email_tricky_13_timestamp_variations.txt": (ALL, "dates in text are not attributions"),
    C + "email_tricky_16_unicode_signatures.txt": (
        ALL,
        "no '-- ' delimiter: an em-dash rule is kept as upstream keeps it in email_emoji",
    ),
    C + "email_tricky_17_forward_header.txt": (
        1,
        "the forwarded block goes, as discourse does for forwards",
    ),
    C + "email_tricky_18_inline_reply.txt": (
        range(3, 12),
        "attribution at the top with its quote goes (as discourse embedded_email_french_2); the interleaved answers and questions below stay",
    ),
    C + "email_tricky_19_quote_without_header.txt": (
        ALL,
        "interleaved quotes stay (discourse quote_and_text); text ends the mail",
    ),
    C + "email_tricky_1_on_false_positive.txt": (ALL, "'On the …' sentences are not attributions"),
    C + "email_tricky_20_html_entities.txt": (
        3,
        "attribution with entity-escaped name and quote go",
    ),
    C + "email_tricky_2_url_with_wrote.txt": (
        ALL,
        "'wrote' inside a URL/sentence is not an attribution",
    ),
    C + "email_tricky_3_code_block.txt": (ALL, "signature-like text inside code stays"),
    C + "email_tricky_4_from_in_body.txt": (ALL, "'From:' inside sentences is not a header block"),
    C + "email_tricky_6_regards_in_sentence.txt": (
        ALL,
        "'regards' inside sentences is not a closing",
    ),
    C + "email_tricky_7_multiple_dashes.txt": (ALL, "short markdown rules are not separators"),
    C + "email_tricky_8_sent_from_in_content.txt": (
        ALL,
        "'sent from my …' inside sentences is not a device line",
    ),
    C + "email_tricky_9_nested_quotes.txt": (1, "attribution and nested quotes go"),
    C + "email_unquoted_reply.txt": (1, "'On … you wrote:' and the unquoted history below go"),
    C + "email_with_date_headers.txt": (ALL, "a '[DATE]' placeholder is not an attribution"),
    C + "email_with_from_headers.txt": (ALL, "a '[FROM]' placeholder is not a header block"),
    C + "sig_no_empty_line.txt": (1, "'--' signature right below the text goes"),
    M + "begins_with_signature.txt": (
        8,
        "the closing stays; the attribution broken by quoted-printable ('w=' / 'rote:') and the quote go",
    ),
    M + "caution.txt": (ALL, "one message, no delimiter: banner and footer are not quoted history"),
    M + "caution2.txt": (ALL, "one message: a disclaimer is not quoted history"),
    M + "correct_sig.txt": (1, "the '-- ' signature goes"),
    M + "email_1_1.txt": (
        7,
        "the mailing-list footer below an underscore rule goes (as crisp email_1)",
    ),
    M + "email_1_3.txt": (5, "closing '-Abhishek Kona' stays; attribution and quote go"),
    M + "email_1_4.txt": (1, "attribution and quote go"),
    M + "email_1_5.txt": (ALL, "nothing quoted; bullets are not a signature"),
    M + "email_1_6.txt": (3, "wrapped attribution over three lines goes"),
    M + "email_1_7.txt": (1, "attribution wrapped before '<…>wrote:' goes"),
    M + "email_1_8.txt": (
        range(12, 19),
        "top attribution with its quote goes; interleaved answers stay; trailing quote and signature go",
    ),
    M + "email_2_2.txt": (1, "underscore separator right below the text and Outlook block go"),
    M + "email_3_1.txt": (3, "German attribution wrapped over two lines goes"),
    M + "email_bullets.txt": (
        9,
        "attribution, quote and '-- ' signature go; indented bullets kept",
    ),
    M + "email_danish_1.txt": (6, "Danish 'Den … skrev …:' attribution goes; closing stays"),
    M + "email_danish_2.txt": (6, "Danish Outlook Fra:/Sendt:/Til:/Emne: block goes"),
    M + "email_danish_3.txt": (3, "Danish attribution goes"),
    M + "email_danish_4.txt": (3, "'-----Oprindelig meddelelse-----' separator goes"),
    M + "email_danish_5.txt": (ALL, "a closing is not a signature delimiter"),
    M + "email_gmail.txt": (
        1,
        "Gmail attribution wrapped before 'wrote:' and the unquoted history go",
    ),
    M + "email_ja_1_1.txt": (ALL, "nothing quoted"),
    M + "email_ja_1_2.txt": (8, "Japanese Gmail attribution ('2022年1月1日(金) 9:00 … <…>:') goes"),
    M + "email_nl_1_1.txt": (6, "the mailing-list footer below an underscore rule goes"),
    M + "email_one_is_not_on.txt": (5, "'One …' is not 'On … wrote:'"),
    M + "email_partial_quote_header.txt": (6, "attribution and quote go; indented command stays"),
    M + "email_pl_1_1.txt": (
        range(4, 10),
        "a header block with nothing above it is the client's printout: it goes, the text below stays",
    ),
    M + "email_pl_1_2.txt": (
        range(5, 11),
        "top header block goes; Polish 'Dnia … napisał(a):' attribution and quote go",
    ),
    M + "email_pl_1_3.txt": (
        range(4, 10),
        "a header block with nothing above it goes, the text below stays",
    ),
    M + "email_sig_delimiter_in_middle_of_line.txt": (
        ALL,
        "' -- ' inside a line is not a delimiter",
    ),
    M + "email_sv_anon_1.txt": (8, "Swedish 'ons 4 dec. … skrev …:' attribution goes"),
    M + "email_swedish_1.txt": (8, "quoted Swedish attribution and quote go"),
    M + "email_swedish_2.txt": (
        7,
        "Swedish 'Den fre … skrev:' attribution goes; '/John' closing stays",
    ),
    M + "forward.txt": (ALL, "no quote, header or signature"),
    M + "greedy_on.txt": (6, "attribution and quote go"),
    M + "multi_header.txt": (1, "unquoted history below the first attribution goes"),
    M + "multiline_on.txt": (
        "asd",
        "attributions with nothing above them go; the one below 'asd' ends the reply",
    ),
    M + "multiline_on_de.txt": (1, "German attribution wrapped over two and three lines goes"),
    M + "outlook.txt": (8, "'Get Outlook for iOS' device line goes"),
    M + "pathological.txt": (2, "attribution right below the text and the long quote go"),
}

OVERRIDES: dict[str, tuple[Expected, str]] = {
    C + "email_2.txt": (
        [range(0, 1), range(2, 34)],
        "upstream checks only the first fragment; the visible text is the interleaved answer below the quote, without the attribution",
    ),
    C + "email_with_regards.txt": (
        ALL,
        "upstream cuts the closing 'Regards,\\n\\nJohn Doe'; we keep what the sender typed",
    ),
    M + "email_2_1.txt": (
        1,
        "upstream keeps Outlook's dashed rule above the *From:* block; the rule is part of the history marker",
    ),
    M + "email_nl_1_2.txt": (
        1,
        "upstream keeps Outlook's dashed rule above the *Van:* block; the rule is part of the history marker",
    ),
    D + "spam_1.txt": (
        ALL,
        "only quotes, no text: the full text is shown rather than nothing (as upstream does for quote_only)",
    ),
}
