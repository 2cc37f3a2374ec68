#!/usr/bin/env python3
"""lesson_page.py WEB LESSON.ag OUT: a lesson page, the handout a teacher
puts on any static host: a copy of the built page (WEB, build/web) in OUT
whose index.html runs LESSON.ag when it opens (in its
<script type="text/x-agrepl" id="agrepl-start">, which the page runs first)."""
import html
import shutil
import sys
from pathlib import Path


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: lesson_page.py WEB LESSON.ag OUT")
    web, lesson, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    text = lesson.read_text(encoding="utf-8")
    if "</script" in text.lower():
        sys.exit(f"lesson_page: {lesson} contains '</script', which would end the page's script element")
    if out.exists() and not out.is_dir():
        sys.exit(f"lesson_page: {out} is not a directory")
    shutil.copytree(web, out, dirs_exist_ok=True)
    page = (web / "index.html").read_text(encoding="utf-8")
    marker = '<script type="text/x-agrepl" id="agrepl-start"></script>'
    if marker not in page:
        sys.exit(f"lesson_page: {web}/index.html has no start script element")
    title = html.escape(text.splitlines()[0].lstrip("# ").strip() if text.strip() else lesson.stem)
    page = page.replace(marker, marker.replace("></script>", ">\n" + text + "</script>"))
    page = page.replace("<title>agrepl — autodiff in the browser</title>", f"<title>agrepl — {title}</title>")
    (out / "index.html").write_text(page, encoding="utf-8")
    print(f"wrote {out}/index.html: opens with {lesson} loaded")


if __name__ == "__main__":
    main()
