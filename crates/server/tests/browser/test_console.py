"""The web console in Debian's Chromium, against a running `tansiq demo`.

Run by scripts/browser-test, which starts the node and passes:
TANSIQ_URL (the node), TANSIQ_DEMO_OUT (the demo's output, with the demo
sign-ins), TANSIQ_AXE (axe.min.js), TANSIQ_SHOTS (screenshot folder).

Every page visited is checked with axe-core (no serious or critical
violation), kept under 300 KB, screenshotted in English, French and Arabic,
and the Arabic one must be laid out right to left. All people are
fictitious (the demo watchlist and the demo accounts).
"""

import os
import re
import sys
import traceback

from playwright.sync_api import sync_playwright

URL = os.environ["TANSIQ_URL"]
AXE = open(os.environ["TANSIQ_AXE"], encoding="utf-8").read()
SHOTS = os.environ["TANSIQ_SHOTS"]
MAX_PAGE_BYTES = 300 * 1024
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def demo_passwords():
    text = open(os.environ["TANSIQ_DEMO_OUT"], encoding="utf-8").read()
    found = dict(re.findall(r"console sign-in: (\S+) / (\S+)", text))
    assert "demo-admin" in found, "the demo printed no console sign-ins"
    return found


PASSWORDS = demo_passwords()
AXE_RESULTS = {"pages": 0, "serious": 0, "critical": 0, "moderate": 0, "minor": 0}
SHOT_COUNT = [0]


def mrz_check(s):
    """ICAO 9303 check digit."""
    values = {c: i for i, c in enumerate("0123456789")}
    values.update({c: 10 + i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")})
    values["<"] = 0
    return str(sum(values[c] * (7, 3, 1)[i % 3] for i, c in enumerate(s)) % 10)


def td3(surname, given, doc, nat, dob, sex, expiry):
    """A valid TD3 (passport) MRZ of a fictitious traveller."""
    line1 = ("P<" + nat + surname + "<<" + given.replace(" ", "<")).ljust(44, "<")[:44]
    doc = doc.ljust(9, "<")
    optional = "<" * 14
    body = doc + mrz_check(doc) + nat + dob + mrz_check(dob) + sex + expiry + mrz_check(expiry)
    body += optional + mrz_check(optional)
    composite = doc + mrz_check(doc) + dob + mrz_check(dob) + expiry + mrz_check(expiry) + optional + mrz_check(optional)
    line2 = body + mrz_check(composite)
    assert len(line1) == 44 and len(line2) == 44, (line1, line2)
    return line1 + "\n" + line2


def totp(secret, at=None):
    """RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret, computed
    here independently of the node."""
    import base64
    import hashlib
    import hmac
    import struct
    import time
    secret = secret.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


class Console:
    """One person's browser context."""

    def __init__(self, browser, user=None):
        self.context = browser.new_context(bypass_csp=True, locale="en-GB")
        self.page = self.context.new_page()
        self.user = user
        if user:
            self.sign_in(user, PASSWORDS[user])

    def close(self):
        self.context.close()

    def go(self, path, lang="en"):
        sep = "&" if "?" in path else "?"
        resp = self.page.goto(f"{URL}{path}{sep}lang={lang}")
        return resp

    def sign_in(self, user, password):
        self.go("/console/sign-in")
        self.page.fill("#user", user)
        self.page.fill("#password", password)
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")
        return self.page

    def check_page(self, name, path=None):
        """axe-core, size, and the screenshots in the three languages (the
        Arabic one right to left). `path` is re-visited per language; the
        current page is used for English when `path` is None."""
        for lang in ("en", "fr", "ar"):
            if path is not None or lang != "en":
                target = path if path is not None else self.page.url.split(URL, 1)[1].split("?")[0]
                resp = self.go(target, lang)
                assert resp.status < 500, f"{name} {lang}: HTTP {resp.status}"
                size = len(resp.body())
                assert size < MAX_PAGE_BYTES, f"{name} {lang}: {size} bytes"
            self.check_here(name, lang)

    def check_each_language(self, name, produce):
        """For a page a form post produces (a screening's answer, an import
        preview), which a language link cannot reload: `produce(lang)`
        makes it again in each language, then the page is checked."""
        for lang in ("en", "fr", "ar"):
            produce(lang)
            size = len(self.page.content().encode("utf-8"))
            assert size < MAX_PAGE_BYTES, f"{name} {lang}: {size} bytes"
            self.check_here(name, lang)

    def check_here(self, name, lang):
        """The checks and the screenshot of the page shown now."""
        html_dir = self.page.evaluate("document.documentElement.dir")
        html_lang = self.page.evaluate("document.documentElement.lang")
        assert html_lang == lang, f"{name}: lang={html_lang}, expected {lang}"
        if lang == "ar":
            assert html_dir == "rtl", f"{name}: Arabic page is not dir=rtl"
            direction = self.page.evaluate("getComputedStyle(document.body).direction")
            assert direction == "rtl", f"{name}: Arabic body direction {direction}"
            # The brand sits at the start edge: the right in Arabic.
            box = self.page.locator(".brand").bounding_box()
            width = self.page.viewport_size["width"]
            assert box and box["x"] > width / 2, f"{name}: Arabic header not laid out right to left"
        else:
            assert html_dir == "ltr", f"{name}: {lang} page is not ltr"
        self.axe(f"{name} ({lang})")
        self.page.screenshot(path=os.path.join(SHOTS, f"{name}-{lang}.png"), full_page=True)
        SHOT_COUNT[0] += 1

    def axe(self, name):
        self.page.add_script_tag(content=AXE)
        result = self.page.evaluate(
            "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }"
        )
        AXE_RESULTS["pages"] += 1
        bad = []
        for v in result:
            AXE_RESULTS[v["impact"] or "minor"] = AXE_RESULTS.get(v["impact"] or "minor", 0) + 1
            if v["impact"] in ("serious", "critical"):
                bad.append(v)
        assert not bad, f"axe on {name}: {bad}"

    def screen_mrz(self, mrz, lang="en"):
        self.go("/console/screen", lang)
        assert self.page.evaluate("document.activeElement.id") == "mrz", "the MRZ field is not focused"
        self.page.keyboard.type(mrz, delay=0)
        # The optional script submits a complete MRZ by itself; without it
        # the officer presses the button.
        if "/console/screen" in self.page.url and not self.page.locator(".answer").count():
            try:
                self.page.wait_for_selector(".answer", timeout=3000)
            except Exception:
                with self.page.expect_navigation():
                    self.page.click("button.primary")
        self.page.wait_for_selector(".answer")
        return self.page

    def screen_name(self, name, birth_date="", nationality="", lang="en", document=""):
        self.go("/console/screen", lang)
        self.page.fill("#name", name)
        self.page.fill("#document", document)
        self.page.fill("#birth_date", birth_date)
        self.page.fill("#nationality", nationality)
        with self.page.expect_navigation():
            self.page.click("button.primary")
        self.page.wait_for_selector(".answer")
        return self.page


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def sign_in_good_lands_on_the_first_allowed_page(browser):
    c = Console(browser)
    c.check_page("sign-in", "/console/sign-in")
    c.sign_in("demo-guard", PASSWORDS["demo-guard"])
    assert c.page.url.startswith(f"{URL}/console/screen"), c.page.url
    cookies = {k["name"]: k for k in c.context.cookies()}
    s = cookies["tansiq_session"]
    assert s["httpOnly"] and s["sameSite"] == "Strict", s
    c.close()


@test
def sign_in_bad_password_is_refused(browser):
    c = Console(browser)
    c.sign_in("demo-analyst", "not the password at all")
    assert "/console/sign-in" in c.page.url
    assert c.page.locator(".notice.error").count() == 1
    assert not any(k["name"] == "tansiq_session" for k in c.context.cookies())
    c.check_page("sign-in-failed")
    c.close()


@test
def sign_in_without_the_form_token_is_refused(browser):
    c = Console(browser)
    r = c.context.request.post(f"{URL}/console/sign-in", form={
        "csrf": "0" * 32, "user": "demo-guard", "password": PASSWORDS["demo-guard"]})
    assert r.status == 403, r.status
    c.close()


@test
def a_form_without_the_session_token_is_refused(browser):
    c = Console(browser, "demo-guard")
    r = c.context.request.post(f"{URL}/console/screen", form={"csrf": "forged", "name": "Hichem Gharbi"})
    assert r.status == 403, r.status
    assert "expired" in r.text() or "csrf" in r.text().lower()
    c.close()


@test
def officer_screens_by_mrz_strong_with_entry_and_action(browser):
    c = Console(browser, "demo-guard")
    mrz = td3("GHARBI", "HICHEM", "K482913", "TUN", "901102", "M", "300101")
    p = c.screen_mrz(mrz)
    answer = p.locator(".answer")
    assert "Strong match" in answer.locator("h2").inner_text(), answer.inner_text()
    first = answer.locator("article.match").first
    text = first.inner_text()
    assert "Hichem Ben Salah Gharbi" in text, text
    assert "هشام بن صالح الغربي" in text, "listed names in both scripts"
    assert "Arrest" in text and "1990-11-02" in text, text
    assert "check digits correct" in answer.inner_text()
    # The analyst detail is folded away.
    assert not first.locator("details").get_attribute("open")
    # Nationality in words, with its code.
    assert "Tunisia (TN)" in text, text
    first.locator("details summary").click()
    no_empty_evidence(first)

    # The answer in each language: screened again after choosing it (a
    # language link reloads the page, which has no answer then).
    names = {"en": "Tunisia (TN)", "fr": "Tunisie (TN)", "ar": "تونس (TN)"}

    def produce(lang):
        p = c.screen_mrz(mrz, lang)
        match = p.locator(".answer article.match").first
        assert match.count() == 1, f"no answer in {lang}"
        assert "Hichem Ben Salah Gharbi" in match.inner_text()
        assert names[lang] in match.inner_text(), (lang, match.inner_text())
        match.locator("details summary").click()

    c.check_each_language("screen-answer-mrz", produce)
    c.close()


def main_text(html):
    """The text of a page's <main>, for a failure's message."""
    m = re.search(r"<main.*?</main>", html, re.S)
    return re.sub(r"<[^>]+>", " ", m.group(0) if m else html)[:1500]


def no_empty_evidence(match):
    """The analyst detail names Evidence only when there is some."""
    empty = match.evaluate(
        "m => [...m.querySelectorAll('dl.detail dt')].filter(dt =>"
        " dt.nextElementSibling && dt.nextElementSibling.querySelectorAll('li').length === 0"
        " && dt.nextElementSibling.textContent.trim() === '').map(dt => dt.textContent)"
    )
    assert not empty, f"empty detail lines: {empty}"


@test
def officer_screens_an_arabic_name(browser):
    c = Console(browser, "demo-guard")
    p = c.screen_name("عبد القادر بن يوسف", "1979-03-14", "DZ")
    answer = p.locator(".answer")
    assert "Strong match" in answer.locator("h2").inner_text(), answer.inner_text()
    text = answer.locator("article.match").first.inner_text()
    assert "Abdelkader Benyoucef" in text and "Arrest" in text, text
    assert "1979-03-14" in text and "the name matches the alias" in text, text
    c.close()


@test
def a_listed_name_with_other_details_is_a_near_miss(browser):
    """The full listed name with another birth date and nationality is
    answered as a near miss with its reason, in every language, never a
    plain "no match" (the reason in the page's language)."""
    c = Console(browser, "demo-guard")
    for lang, verdict, differs in (
        ("en", "Near miss", "the birth date differs"),
        ("fr", "Quasi-correspondance", "la date de naissance diffère"),
        ("ar", "تطابق وشيك", "تاريخ الميلاد مختلف"),
    ):
        p = c.screen_name("Abdelkader Benyoucef", "1995-06-01", "FR", lang=lang)
        answer = p.locator(".answer")
        text = answer.inner_text()
        assert verdict in answer.locator("p.verdict").inner_text(), text
        note = answer.locator("article.match .notice.warn").first.inner_text()
        assert differs in note, note
        c.check_here("screen-near-miss", lang)
    c.close()


@test
def officer_is_refused_analyst_and_admin_pages(browser):
    c = Console(browser, "demo-guard")
    c.go("/console/screen")
    menu = c.page.locator("nav.menu").inner_text()
    assert "Hits" not in menu and "Administration" not in menu, menu
    for path in ("/console/hits", "/console/admin", "/console/audit", "/console/entries", "/console/dashboard"):
        r = c.go(path)
        assert r.status == 403, f"{path}: {r.status}"
    c.check_page("refused", "/console/admin")
    r = c.context.request.post(f"{URL}/console/admin/users", form={"csrf": "x", "id": "intruder"})
    assert r.status == 403, r.status
    c.close()


def raise_hit(browser, document):
    """A possible-or-stronger screening by agency A's officer-analyst: a
    hit. Each caller gives its own document: a dismissed (document, entry)
    pair raises no hit again."""
    c = Console(browser, "demo-officer")
    p = c.screen_name("Khadija Touati", "1988-06-30", "DZ", document=document)
    hit = p.locator(".hit-id code").first.inner_text()
    c.close()
    return hit


@test
def a_hit_is_reviewed_from_queue_to_closed(browser):
    hit = raise_hit(browser, "ZX0042917")
    c = Console(browser, "demo-analyst")
    c.go("/console/hits")
    assert c.page.locator(f"a[href='/console/hits/{hit}']").count() == 1, "the hit is not in the queue"
    c.check_page("hits", "/console/hits")
    c.go(f"/console/hits/{hit}")
    c.check_page("hit", f"/console/hits/{hit}")
    c.go(f"/console/hits/{hit}")
    with c.page.expect_navigation():
        c.page.click("text=Assign to me")
    assert "Assigned" in c.page.locator(".notice").inner_text()
    c.page.fill("#reason", "Different person: the passport photo and the father's name differ")
    with c.page.expect_navigation():
        c.page.click("text=Dismiss: not the listed person")
    assert "Dismissed" in c.page.locator(".notice").inner_text()
    # A stale version is refused: post the version read before the dismissal.
    csrf = c.page.locator("input[name=csrf]").first.get_attribute("value")
    r = c.context.request.post(f"{URL}/console/hits/{hit}/close", form={"csrf": csrf, "version": "1"})
    assert "changed since you opened it" in r.text(), r.text()[:500]
    with c.page.expect_navigation():
        c.page.click("button:text('Close')")
    assert "Closed" in c.page.locator(".notice").inner_text()
    history = c.page.locator("ol.history").inner_text()
    for step in ("raised", "assigned", "dismissed", "closed"):
        assert step in history, history
    c.go("/console/hits?state=closed")
    assert c.page.locator(f"a[href='/console/hits/{hit}']").count() == 1
    # The dismissal is a suppression of (this document, this entry
    # version) for the agency, in force while the entry is unchanged.
    c.go("/console/suppressions")
    row = c.page.locator("tr", has=c.page.locator(f"a[href='/console/hits/{hit}']"))
    assert row.count() == 1, c.page.locator("main").inner_text()
    assert "ZX0042917" in row.inner_text() and "yes" in row.inner_text(), row.inner_text()
    c.check_page("suppressions", "/console/suppressions")
    # The history's events in the page's language.
    c.go(f"/console/hits/{hit}", "fr")
    history = c.page.locator("ol.history").inner_text()
    for step in ("alerte levée", "attribuée", "écartée", "close"):
        assert step in history, history
    c.go(f"/console/hits/{hit}", "ar")
    history = c.page.locator("ol.history").inner_text()
    assert "استُبعد" in history and "dismissed" not in history, history
    c.close()


@test
def agency_b_never_sees_agency_a_hits(browser):
    hit = raise_hit(browser, "ZX0042918")
    c = Console(browser, "demo-b-analyst")
    c.go("/console/hits?state=any")
    assert c.page.locator(f"a[href='/console/hits/{hit}']").count() == 0
    r = c.go(f"/console/hits/{hit}")
    assert "Nothing found" in c.page.content() and hit not in c.page.locator("main").inner_text()
    c.close()


@test
def an_entry_is_created_and_withdrawn(browser):
    c = Console(browser, "demo-contact")
    c.go("/console/entries")
    c.check_page("entries", "/console/entries")
    c.go("/console/entries")
    c.page.fill("#name", "Rachid Fictif Benamar")
    c.page.fill("#aliases", "رشيد بن عمر")
    c.page.fill("#birth_date", "1983-02-11")
    c.page.fill("#nationality", "DZ")
    c.page.fill("#warrant_number", "DEMO-2026/0042")
    c.page.fill("#offence", "fictitious offence for the console test")
    c.page.select_option("#action_on_hit", "refuse-entry")
    with c.page.expect_navigation():
        c.page.click("button.primary")
    notice = c.page.locator(".notice").first.inner_text()
    assert "Entry created" in notice, notice
    row = c.page.locator("tr", has_text="Rachid Fictif Benamar")
    assert row.count() == 1
    # Agency B cannot see it (visibility: only my agency)...
    b = Console(browser, "demo-b-analyst")
    p = b.screen_name("Rachid Fictif Benamar", "1983-02-11", "DZ")
    assert "Rachid" not in p.locator(".answer").inner_text()
    b.close()
    # ...and the officer of agency A is stopped by it.
    o = Console(browser, "demo-guard")
    p = o.screen_name("Rachid Benamar", "1983-02-11", "DZ")
    assert "Rachid Fictif Benamar" in p.locator(".answer").inner_text()
    o.close()
    row.locator("input[name=reason]").fill("warrant executed")
    with c.page.expect_navigation():
        row.locator("button").click()
    assert "withdrawn" in c.page.locator(".notice").inner_text()
    assert c.page.locator("tr", has_text="Rachid Fictif Benamar").count() == 0
    c.close()


@test
def a_manifest_is_uploaded_and_its_flight_shown(browser):
    c = Console(browser, "demo-officer")
    c.go("/console/flights")
    c.check_page("flights", "/console/flights")
    c.go("/console/flights")
    manifest = (
        "flight,date,surname,given_names,birth_date,sex,nationality,document_number,issuing_state\n"
        "TQ100,2026-12-07,GHARBI,HICHEM,1990-11-02,M,TUN,K482913,TUN\n"
        "TQ100,2026-12-07,SAIDI,FATMA ZOHRA,1995-02-10,F,DZA,123456789,DZA\n"
    )

    def upload(lang="en"):
        c.go("/console/flights", lang)
        c.page.fill("#text", manifest)
        with c.page.expect_navigation():
            c.page.click("button.primary")
        summary = c.page.locator(".flight")
        assert summary.count() == 1, c.page.locator("main").inner_text()[:800]
        assert "Hichem Ben Salah Gharbi" in summary.inner_text()
        return summary

    text = upload().inner_text()
    assert "2 travellers" in text, text
    plain = text.replace("\u2068", "").replace("\u2069", "")
    assert "by Demo officer (demo-border)" in plain and "Lists: demo builtin-1" in plain, text
    # The summary in each language (made again: a language link reloads
    # the upload form, which has no flight then).
    c.check_each_language("flight-summary", upload)
    # The printable report: a print button where a script runs, and in
    # print the report alone (no menu, no upload form), rows kept whole.
    upload()
    assert c.page.locator("button.print-button").is_visible()
    c.page.emulate_media(media="print")
    assert not c.page.locator("header.top").is_visible()
    assert not c.page.locator("form[enctype]").first.is_visible()
    assert not c.page.locator("button.print-button").is_visible()
    assert c.page.locator(".flight table").is_visible()
    assert not c.page.locator("h2.upload-title").is_visible()
    c.page.screenshot(path=os.path.join(SHOTS, "flight-report-print-en.png"), full_page=True)
    SHOT_COUNT[0] += 1
    c.page.emulate_media(media="screen")
    c.close()


@test
def an_auditor_verifies_the_chain(browser):
    c = Console(browser, "demo-auditor")
    c.go("/console/audit")
    with c.page.expect_navigation():
        c.page.click("text=Verify the chain")
    main = c.page.locator("main").inner_text()
    assert "The audit chain verifies" in main
    # the stored screening records are checked against their events too
    assert "Screening records:" in main and "CHANGED" not in main, main

    # The verdict in each language (a language link reloads the log,
    # which has no verdict then): verified again after choosing it.
    def produce(lang):
        c.go("/console/audit", lang)
        with c.page.expect_navigation():
            c.page.click("form[action='/console/audit/verify'] button")
        assert c.page.locator("main .notice").count() >= 2, lang

    c.check_each_language("audit-verified", produce)
    c.go("/console/audit")
    c.go("/console/audit?action=console.sign-in")
    assert "console.sign-in" in c.page.locator("table.audit").inner_text()
    c.close()


@test
def an_administrator_creates_a_user_who_signs_in_then_gets_locked_out(browser):
    c = Console(browser, "demo-admin")
    c.go("/console/admin")
    c.check_page("admin", "/console/admin")
    c.go("/console/admin")
    c.page.fill("#uid", "test-officer-2")
    c.page.fill("#uname", "Amina Fictive")
    c.page.fill("#upw", "a long test password 42")
    c.page.check("input[name=roles][value=officer]")
    with c.page.expect_navigation():
        c.page.click("form[action='/console/admin/users'] button")
    assert "test-officer-2 created" in c.page.locator(".notice").inner_text()
    c.page.select_option("#kuser", "test-officer-2")
    with c.page.expect_navigation():
        c.page.click("form[action='/console/admin/keys'] button")
    assert re.search(r"tsq_[0-9a-f]{16}_[0-9a-f]{64}", c.page.locator("code.token").inner_text())
    c.close()
    n = Console(browser)
    n.sign_in("test-officer-2", "a long test password 42")
    assert "/console/screen" in n.page.url
    n.close()
    # Five wrong passwords lock the account; then even the right one fails.
    x = Console(browser)
    for _ in range(5):
        x.sign_in("test-officer-2", "wrong password")
    x.sign_in("test-officer-2", "a long test password 42")
    assert "locked" in x.page.locator(".notice.error").inner_text()
    x.close()


def create_entry(c, name, alias, warrant):
    """Agency A's contact point creates a national entry (fictitious)."""
    c.go("/console/entries")
    c.page.fill("#name", name)
    c.page.fill("#aliases", alias)
    c.page.fill("#birth_date", "1981-07-19")
    c.page.fill("#nationality", "DZ")
    c.page.fill("#warrant_number", warrant)
    c.page.select_option("#action_on_hit", "arrest")
    with c.page.expect_navigation():
        c.page.click("form[action='/console/entries'] button.primary")
    assert "Entry created" in c.page.locator(".notice").first.inner_text()


@test
def an_entry_is_edited_with_its_version_and_its_history_reads_as_a_diff(browser):
    c = Console(browser, "demo-contact")
    create_entry(c, "Walid Fictif Haddad", "وليد حداد", "DEMO-2026/0077")
    row = c.page.locator("tr", has_text="Walid Fictif Haddad")
    with c.page.expect_navigation():
        row.locator("a", has_text="Edit and history").click()
    entry_path = c.page.url.split(URL, 1)[1].split("?")[0]
    assert c.page.locator("input[name=version]").get_attribute("value") == "1"
    # Nationality shown as the API reads it back, names one per line.
    c.page.fill("#aliases", "Walid Haddad")
    c.page.select_option("#action_on_hit", "inform")
    c.page.fill("#court", "Tribunal fictif de démonstration")
    with c.page.expect_navigation():
        c.page.click("form[action^='/console/entries/'] button.primary")
    assert "Entry saved" in c.page.locator(".notice").first.inner_text()
    assert c.page.locator("input[name=version]").get_attribute("value") == "2"
    diff = c.page.locator("ol.versions li").first.inner_text()
    assert "Added Aliases: Walid Haddad" in diff, diff
    assert "Removed Aliases: وليد حداد" in diff, diff
    assert "Changed Action on hit: Arrest → Inform the issuing agency" in diff, diff
    # In Arabic the old value comes first in reading order: the arrow
    # points left.
    c.go(entry_path, "ar")
    ar = c.page.locator("ol.versions li").first.inner_text()
    assert "توقيف ← إبلاغ الجهة المُصدِرة" in ar, ar
    c.go(entry_path, "en")
    assert "Court" in diff and "Tribunal fictif" in diff, diff
    # Nothing else changed: the birth date and nationality stay.
    assert "date of birth" not in diff.lower() and "Nationality" not in diff, diff
    # A save based on version 1 (someone else saved version 2 meanwhile)
    # is refused and says so; the entry stays at version 2.
    csrf = c.page.locator("input[name=csrf]").first.get_attribute("value")
    r = c.context.request.post(f"{URL}{entry_path}", form={
        "csrf": csrf, "version": "1", "name": "Walid Fictif Haddad", "aliases": "",
        "warrant_number": "DEMO-2026/0077", "action_on_hit": "arrest", "visibility": "originator"})
    assert "Not saved: someone changed this entry" in r.text(), main_text(r.text())
    c.go(entry_path)
    assert c.page.locator("input[name=version]").get_attribute("value") == "2"
    assert c.page.locator("ol.versions > li").count() == 2
    c.check_page("entry", entry_path)
    # The officer now reads "Inform" for this entry, and the hit raised is
    # the agency's to review.
    o = Console(browser, "demo-guard")
    p = o.screen_name("Walid Haddad", "1981-07-19", "DZ", document="WF1981719")
    assert "Inform the issuing agency" in p.locator(".answer article.match").first.inner_text()
    hit = p.locator(".hit-id code").first.inner_text()
    o.close()
    # Nothing to tell the contact point yet; an analyst confirms the hit,
    # and the entry's originating agency is told.
    c.go("/console/notifications")
    assert "No notification yet" in c.page.locator("main").inner_text()
    a = Console(browser, "demo-analyst")
    a.go(f"/console/hits/{hit}")
    a.page.fill("#note", "Identity confirmed against the fictitious warrant")
    with a.page.expect_navigation():
        a.page.click("form[action$='/confirm'] button")
    assert "Confirmed" in a.page.locator(".notice").inner_text()
    a.close()
    c.go("/console/notifications")
    note = c.page.locator("article.notification").first.inner_text()
    assert "A hit on your entry was confirmed" in note and "Walid Fictif Haddad" in note, note
    assert "demo-analyst" in note and "Inform the issuing agency" in note, note
    c.check_page("notifications", "/console/notifications")
    for user in ("demo-guard", "demo-analyst", "demo-admin"):
        x = Console(browser, user)
        assert x.go("/console/notifications").status == 403, user
        x.close()
    c.go(entry_path)
    # Agency B's contact point cannot open it: B has no contact point in
    # the demo, so B's analyst is refused the section outright.
    b = Console(browser, "demo-b-analyst")
    r = b.go(entry_path)
    assert r.status == 403, r.status
    assert "Walid" not in b.page.content()
    b.close()
    c.close()


NATIONAL_CSV_BAD = (
    "id,name,aliases,birth_dates,nationalities,warrant_number,offence,action_on_hit,visibility\n"
    "imp-1,Sofiane Fictif Mansouri,سفيان منصوري,1986-04-02,DZ,DEMO-IMP-1,fictitious,arrest,originator\n"
    "imp-2,Nabil Fictif Cherif,,1979-13-45,DZ,DEMO-IMP-2,fictitious,arrest,originator\n"
    "imp-3,Karima Fictive Saadi,,1990-01-20,TN,DEMO-IMP-3,fictitious,jail-forever,originator\n"
)
NATIONAL_CSV_GOOD = (
    "id,name,aliases,birth_dates,nationalities,warrant_number,offence,action_on_hit,visibility\n"
    "imp-1,Sofiane Fictif Mansouri,سفيان منصوري,1986-04-02,DZ,DEMO-IMP-1,fictitious,arrest,originator\n"
    "imp-2,Nabil Fictif Cherif,,1979-03-15,DZ,DEMO-IMP-2,fictitious,refuse-entry,originator\n"
)


@test
def a_national_csv_is_previewed_with_its_errors_then_imported_all_or_nothing(browser):
    c = Console(browser, "demo-contact")
    c.go("/console/entries")
    before = c.page.locator("table tbody tr").count()

    def preview(csv, lang="en"):
        c.go("/console/entries/import", lang)
        c.page.fill("#text", csv)
        with c.page.expect_navigation():
            c.page.click("button.primary")
        return c.page.locator("section.preview")

    p = preview(NATIONAL_CSV_BAD)
    text = p.inner_text()
    assert "Nothing can be imported" in text, text
    problems = p.locator("table.problems").inner_text()
    assert "line 3" in problems and "line 4" in problems, problems
    assert c.page.locator("#import-confirm").count() == 0, "a file with errors offers an import"
    # A forged import of the bad file writes nothing either.
    csrf = c.page.locator("input[name=csrf]").first.get_attribute("value")
    r = c.context.request.post(f"{URL}/console/entries/import", multipart={
        "csrf": csrf, "step": "import", "text": NATIONAL_CSV_BAD})
    assert "Nothing can be imported" in r.text(), r.text()[:600]
    c.go("/console/entries")
    assert c.page.locator("tr", has_text="Sofiane Fictif Mansouri").count() == 0
    assert c.page.locator("table tbody tr").count() == before

    c.check_each_language("entries-import-preview", lambda lang: preview(NATIONAL_CSV_BAD, lang))

    p = preview(NATIONAL_CSV_GOOD)
    text = p.inner_text()
    assert "2 entries: 2 new" in text, text
    assert "Sofiane Fictif Mansouri" in p.locator("table.rows").inner_text()
    with c.page.expect_navigation():
        c.page.click("#import-confirm")
    assert "Import done: 2 entries written" in c.page.locator(".notice").first.inner_text()
    assert c.page.locator("tr", has_text="Sofiane Fictif Mansouri").count() == 1
    assert c.page.locator("tr", has_text="Nabil Fictif Cherif").count() == 1
    # The same file again changes nothing; a changed row shows its diff.
    p = preview(NATIONAL_CSV_GOOD.replace("refuse-entry", "inform"))
    rows = p.locator("table.rows").inner_text()
    assert "unchanged" in rows and "Changed Action on hit: Refuse entry → Inform the issuing agency" in rows, rows
    c.close()


def register_partner(browser):
    """The node administrator registers a fictitious partner node through
    the partners page's form: no JSON written by hand."""
    c = Console(browser, "demo-admin")
    c.go("/console/partners")
    # This node's invitation, to give to the partner.
    c.page.click("details.invite summary")
    assert re.search(r"[0-9a-f]{64}", c.page.locator("details.invite").inner_text())
    # RFC 8032 test vector 1's public key: a valid key of nobody here.
    c.page.fill("#pid", "demo-partner-tn")
    c.page.fill("#purl", "http://127.0.0.1:9")
    c.page.fill("#pkey", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    c.page.select_option("#out_level", "full")
    c.page.fill("#out_agencies", "demo-border")
    c.page.check("input[name=out_actions][value=arrest]")
    c.page.select_option("#in_level", "hit-no-hit")
    c.page.uncheck("input[name=in_fields][value=birth-date]")
    with c.page.expect_navigation():
        c.page.click("form[action='/console/partners'] button.primary")
    notice = c.page.locator(".notice").first.inner_text()
    assert "Partner demo-partner-tn saved" in notice, notice
    # A key that is not one is refused in words, and nothing is saved.
    c.page.fill("#pid", "demo-partner-xx")
    c.page.fill("#purl", "http://127.0.0.1:9")
    c.page.fill("#pkey", "00" * 31 + "zz")
    c.page.evaluate("document.querySelector('#pkey').removeAttribute('pattern')")
    with c.page.expect_navigation():
        c.page.click("form[action='/console/partners'] button.primary")
    assert "64 hexadecimal digits" in c.page.locator(".notice.error").inner_text()
    assert "demo-partner-xx" not in c.page.locator("section.partner").all_inner_texts().__str__()
    return c


@test
def a_node_administrator_reads_partners_agreements_and_federation_status(browser):
    c = register_partner(browser)
    c.go("/console/partners")
    text = c.page.locator("main").inner_text()
    assert "demo-partner-tn" in text, text
    assert "Full copy: own entries shared by agreement, of agency demo-border, with action Arrest." in text, text
    assert "Hit/no-hit only: own entries shared by agreement." in text, text
    assert "Messages waiting to be sent" in text and "Messages the partner refused" in text, text
    assert "Last contact" in text, text
    # The traveller data each way, as ticked in the form.
    section = c.page.locator("section.partner", has_text="demo-partner-tn").inner_text()
    assert "name; date of birth" in section and "name." in section, section
    c.check_page("partners", "/console/partners")
    c.close()
    for user in ("demo-guard", "demo-analyst", "demo-contact"):
        o = Console(browser, user)
        r = o.go("/console/partners")
        assert r.status == 403, f"{user}: {r.status}"
        assert "demo-partner-tn" not in o.page.content()
        o.close()


@test
def list_sources_and_their_freshness(browser):
    for user in ("demo-admin", "demo-analyst"):
        c = Console(browser, user)
        c.go("/console/sources")
        table = c.page.locator("table.sources").inner_text()
        assert "national" in table and "not counted" in table, table
        demo = c.page.locator("table.sources tr", has_text="builtin-1").inner_text()
        assert "by hand (no schedule)" in demo and "not scheduled" in demo and "fresh" in demo, demo
        update = c.page.locator("section.source-detail", has_text="builtin-1").inner_text()
        update = update.replace("\u2068", "").replace("\u2069", "")
        assert "Last update: version builtin-1" in update and "added" in update, update
        if user == "demo-admin":
            c.check_page("sources", "/console/sources")
        c.close()
    for user in ("demo-guard", "demo-contact", "demo-auditor"):
        o = Console(browser, user)
        assert o.go("/console/sources").status == 403, user
        assert "Lists" not in o.page.locator("nav.menu").inner_text()
        o.close()


@test
def agencies_are_shown_to_node_administrators_only(browser):
    c = Console(browser, "demo-admin")
    c.go("/console/admin")
    agencies = c.page.locator("table.agencies").inner_text()
    assert "demo-border" in agencies and "demo-coast" in agencies, agencies
    # Every role in words, node-wide roles included (no raw message key).
    main = c.page.locator("main").inner_text()
    assert "role-" not in main and "Node administrator" in main, main
    c.go("/console/admin", "fr")
    assert "Administrateur du nœud" in c.page.locator("main").inner_text()
    c.go("/console/admin", "en")
    c.close()
    # An agency administrator (not node-wide) gets no agency list.
    a = Console(browser, "demo-admin")
    a.go("/console/admin")
    a.page.fill("#uid", "test-agency-admin")
    a.page.fill("#uname", "Hafid Fictif")
    a.page.fill("#upw", "another long test password 7")
    a.page.check("input[name=roles][value=admin]")
    with a.page.expect_navigation():
        a.page.click("form[action='/console/admin/users'] button")
    assert "test-agency-admin created" in a.page.locator(".notice").inner_text()
    a.close()
    x = Console(browser)
    x.sign_in("test-agency-admin", "another long test password 7")
    x.go("/console/admin")
    assert x.page.locator("table.agencies").count() == 0
    assert "demo-coast" not in x.page.locator("main").inner_text()
    x.close()


@test
def the_answer_stays_when_the_language_changes(browser):
    """Switching language on the screening page shows the same answer in
    the new language, without screening again (no second crossing)."""
    c = Console(browser, "demo-guard")
    p = c.screen_name("عبد القادر بن يوسف", "1979-03-14", "DZ")
    hits = p.locator(".hit-id code").all_inner_texts()
    for lang, own, band in (("fr", "Français", "Correspondance forte"), ("ar", "العربية", "تطابق قوي"),
                            ("en", "English", "Strong match")):
        with c.page.expect_navigation():
            c.page.click(f"nav.langs a[hreflang={lang}]")
        answer = c.page.locator(".answer")
        assert answer.count() == 1, f"{lang}: the answer is gone: {c.page.url}"
        assert band in answer.locator("h2").inner_text(), (lang, answer.inner_text()[:300])
        assert "Abdelkader Benyoucef" in answer.inner_text()
        # The same screening: the same hit, not a new one.
        assert answer.locator(".hit-id code").all_inner_texts() == hits
        assert c.page.evaluate("document.documentElement.lang") == lang
        c.check_here("screen-answer-after-language-switch", lang)
    # Another person's session cannot read it back.
    o = Console(browser, "demo-officer")
    o.page.goto(c.page.url)
    assert o.page.locator(".answer").count() == 0
    assert "no longer shown" in o.page.locator("main").inner_text()
    o.close()
    c.close()


@test
def a_person_enrols_a_second_factor_and_signs_in_with_a_code(browser):
    # A fresh officer (the demo's accounts stay password-only for the
    # other tests).
    a = Console(browser, "demo-admin")
    a.go("/console/admin")
    a.page.fill("#uid", "test-totp-officer")
    a.page.fill("#uname", "Salma Fictive")
    a.page.fill("#upw", "a long totp test password 9")
    a.page.check("input[name=roles][value=officer]")
    with a.page.expect_navigation():
        a.page.click("form[action='/console/admin/users'] button")
    a.close()
    password = "a long totp test password 9"
    c = Console(browser)
    c.sign_in("test-totp-officer", password)
    # The own-account page, from the name in the header.
    with c.page.expect_navigation():
        c.page.click("header .who a.account")
    assert "/console/account" in c.page.url
    assert "Off" in c.page.locator(".totp-state").inner_text()
    c.check_page("account", "/console/account")

    def enrol(lang):
        c.go("/console/account", lang)
        with c.page.expect_navigation():
            c.page.click("form[action='/console/account/totp'] button")
        assert c.page.locator("svg.qr").count() == 1, "the QR code is drawn inline"
        assert c.page.locator("img").count() == 0
    # The enrolment in each language (each visit makes a new pending key).
    c.check_each_language("account-totp-enrol", enrol)
    enrol("en")
    secret = c.page.locator("code.secret").inner_text()
    c.page.click("section.enrol details summary")
    assert "otpauth://totp/" in c.page.locator("section.enrol").inner_text()
    # A wrong code is refused; the right one turns it on.
    right = totp(secret)
    wrong = "000000" if right != "000000" else "111111"
    c.page.fill("#code", wrong)
    with c.page.expect_navigation():
        c.page.click("form.confirm button")
    assert "does not match" in c.page.locator(".notice.error").inner_text()
    c.page.fill("#code", right)
    with c.page.expect_navigation():
        c.page.click("form.confirm button")
    assert "Second factor on" in c.page.locator(".notice").first.inner_text()
    assert "On" in c.page.locator(".totp-state").inner_text()
    c.close()

    # Signing in now asks for the code.
    x = Console(browser)
    x.sign_in("test-totp-officer", password)
    assert "/console/sign-in" in x.page.url and x.page.locator("#code").count() == 1, x.page.url
    assert not any(k["name"] == "tansiq_session" for k in x.context.cookies())
    assert x.page.evaluate("document.activeElement.id") == "code", "the code field is focused"
    x.check_page("sign-in-code", "/console/sign-in/code")
    x.go("/console/sign-in/code", "en")
    # The code used to confirm is not taken again.
    x.page.fill("#code", right)
    with x.page.expect_navigation():
        x.page.click("button[type=submit]")
    assert "Wrong code" in x.page.locator(".notice.error").inner_text()
    # The next step's code signs in (keyboard only).
    import time
    x.page.fill("#code", totp(secret, time.time() + 30))
    with x.page.expect_navigation():
        x.page.keyboard.press("Enter")
    assert "/console/screen" in x.page.url, x.page.url
    x.close()

    # The agency's administrator resets it from the users table.
    a = Console(browser, "demo-admin")
    a.go("/console/admin")
    row = a.page.locator("tr", has_text="test-totp-officer")
    assert "On" in row.inner_text(), row.inner_text()
    with a.page.expect_navigation():
        row.locator("form.inline button").click()
    assert "Second factor of test-totp-officer removed" in a.page.locator(".notice").first.inner_text()
    assert "Off" in a.page.locator("tr", has_text="test-totp-officer").inner_text()
    a.close()
    y = Console(browser)
    y.sign_in("test-totp-officer", password)
    assert "/console/screen" in y.page.url, "password alone after a reset"
    y.close()
    # Every step is in the audit log.
    u = Console(browser, "demo-auditor")
    for action in ("console.totp.enrol", "console.totp.confirm", "console.totp.verify", "console.totp.reset"):
        u.go(f"/console/audit?action={action}")
        assert action in u.page.locator("main").inner_text(), action
    u.close()


@test
def every_page_of_each_role_in_three_languages(browser):
    for user, pages in (
        ("demo-guard", ["/console/screen"]),
        ("demo-admin", ["/console/dashboard"]),
        ("demo-auditor", ["/console/audit"]),
    ):
        c = Console(browser, user)
        for path in pages:
            c.check_page(path.strip("/").replace("/", "-"), path)
        c.close()


@test
def sign_out_ends_the_session(browser):
    c = Console(browser, "demo-auditor")
    with c.page.expect_navigation():
        c.page.click("text=Sign out")
    assert "/console/sign-in" in c.page.url
    r = c.go("/console/audit")
    assert "/console/sign-in" in c.page.url, r.url
    c.close()


def main():
    passed, failed = 0, 0
    # TANSIQ_BROWSER_ONLY=a,b runs only the tests whose name has a or b (a
    # quicker loop while working; the full run is the check).
    only = os.environ.get("TANSIQ_BROWSER_ONLY")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for t in TESTS:
            if only and not any(w in t.__name__ for w in only.split(",")):
                continue
            try:
                t(browser)
                passed += 1
                print(f"ok   {t.__name__}")
            except Exception:
                failed += 1
                print(f"FAIL {t.__name__}")
                traceback.print_exc()
        browser.close()
    print(
        f"axe-core: {AXE_RESULTS['pages']} page checks; violations by impact: "
        f"critical {AXE_RESULTS['critical']}, serious {AXE_RESULTS['serious']}, "
        f"moderate {AXE_RESULTS['moderate']}, minor {AXE_RESULTS['minor']}"
    )
    print(f"screenshots: {SHOT_COUNT[0]} in {SHOTS}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
