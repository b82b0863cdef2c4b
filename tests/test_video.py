"""Product video links: every accepted shape, and the many ways a link can be wrong."""

from __future__ import annotations

import pytest

from core.catalog.video import VideoEmbed, VideoUrlError, optional_video, parse_video_url

ID = "dQw4w9WgXcQ"
NOCOOKIE = f"https://www.youtube-nocookie.com/embed/{ID}"
WATCH = f"https://www.youtube.com/watch?v={ID}"


@pytest.mark.parametrize("url", [
    f"https://www.youtube.com/watch?v={ID}",
    f"https://youtube.com/watch?v={ID}",
    f"https://m.youtube.com/watch?v={ID}",
    f"http://www.youtube.com/watch?v={ID}",
    f"HTTPS://WWW.YOUTUBE.COM/watch?v={ID}",
    f"https://www.youtube.com/watch?v={ID}&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG&index=2",
    f"https://www.youtube.com/watch?feature=share&v={ID}",
    f"https://www.youtube.com/watch/?v={ID}",
    f"https://youtu.be/{ID}",
    f"http://youtu.be/{ID}",
    f"https://youtu.be/{ID}?si=Ab3dEfGhIjKlMnOp",
    f"https://www.youtube.com/shorts/{ID}",
    f"https://youtube.com/shorts/{ID}?feature=share",
    f"https://www.youtube.com/embed/{ID}",
    f"https://www.youtube-nocookie.com/embed/{ID}",
    f"https://www.youtube.com/live/{ID}",
    f"  https://youtu.be/{ID}\n",
    f"https://www.youtube.com:443/watch?v={ID}",
])
def test_youtube_shapes(url: str) -> None:
    assert parse_video_url(url) == VideoEmbed("youtube", ID, NOCOOKIE, WATCH)


def test_youtube_ids_may_use_dash_and_underscore() -> None:
    video = parse_video_url("https://youtu.be/a-B_c1D2e3F")
    assert video.video_id == "a-B_c1D2e3F"
    assert video.embed_url == "https://www.youtube-nocookie.com/embed/a-B_c1D2e3F"


@pytest.mark.parametrize(("url", "start"), [
    (f"https://youtu.be/{ID}?t=43", 43),
    (f"https://youtu.be/{ID}?t=43s", 43),
    (f"https://www.youtube.com/watch?v={ID}&t=1m30s", 90),
    (f"https://www.youtube.com/watch?v={ID}&t=1h2m3s", 3723),
    (f"https://www.youtube.com/embed/{ID}?start=120", 120),
    (f"https://www.youtube.com/watch?v={ID}#t=75", 75),
])
def test_youtube_start_time_is_kept_in_seconds(url: str, start: int) -> None:
    video = parse_video_url(url)
    assert video.embed_url == f"{NOCOOKIE}?start={start}"
    assert video.watch_url == f"{WATCH}&t={start}s"


@pytest.mark.parametrize("url", [
    f"https://youtu.be/{ID}?t=0",
    f"https://youtu.be/{ID}?t=soon",
    f"https://youtu.be/{ID}?t=-5",
    f"https://youtu.be/{ID}?t=",
])
def test_youtube_useless_start_time_is_ignored(url: str) -> None:
    assert parse_video_url(url).embed_url == NOCOOKIE


@pytest.mark.parametrize(("url", "embed", "watch"), [
    ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1",
     "https://vimeo.com/76979871"),
    ("http://www.vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1",
     "https://vimeo.com/76979871"),
    ("https://vimeo.com/76979871?share=copy", "https://player.vimeo.com/video/76979871?dnt=1",
     "https://vimeo.com/76979871"),
    ("https://player.vimeo.com/video/76979871",
     "https://player.vimeo.com/video/76979871?dnt=1", "https://vimeo.com/76979871"),
    ("https://player.vimeo.com/video/76979871?badge=0&autopause=0",
     "https://player.vimeo.com/video/76979871?dnt=1", "https://vimeo.com/76979871"),
    # Unlisted videos only play with their privacy hash.
    ("https://vimeo.com/76979871/8272103f6e",
     "https://player.vimeo.com/video/76979871?dnt=1&h=8272103f6e",
     "https://vimeo.com/76979871/8272103f6e"),
    ("https://player.vimeo.com/video/76979871?h=8272103f6e",
     "https://player.vimeo.com/video/76979871?dnt=1&h=8272103f6e",
     "https://vimeo.com/76979871/8272103f6e"),
])
def test_vimeo_shapes(url: str, embed: str, watch: str) -> None:
    assert parse_video_url(url) == VideoEmbed("vimeo", "76979871", embed, watch)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://cdn.example.com/videos/kantha.mp4", "https://cdn.example.com/videos/kantha.mp4"),
    ("https://media.example.am/a/b/girq.webm", "https://media.example.am/a/b/girq.webm"),
    ("https://CDN.Example.com/clip.MP4?v=2", "https://cdn.example.com/clip.MP4?v=2"),
    ("https://cdn.example.com:443/clip.mp4#t=5", "https://cdn.example.com/clip.mp4#t=5"),
    ("https://cdn.example.com/শাড়ি.mp4",
     "https://cdn.example.com/%E0%A6%B6%E0%A6%BE%E0%A6%A1%E0%A6%BC%E0%A6%BF.mp4"),
    ("https://cdn.example.com/my%20clip.mp4", "https://cdn.example.com/my%20clip.mp4"),
])
def test_direct_video_files(url: str, expected: str) -> None:
    assert parse_video_url(url) == VideoEmbed("file", expected, expected, expected)


@pytest.mark.parametrize("url", [
    # not web links at all
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)//https://youtu.be/dQw4w9WgXcQ",
    "javascript://www.youtube.com/%0aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:video/mp4;base64,AAAAIGZ0eXBpc29t",
    "vbscript:msgbox(1)",
    "ftp://example.com/video.mp4",
    "file:///etc/passwd.mp4",
    "//www.youtube.com/watch?v=dQw4w9WgXcQ",
    "www.youtube.com/watch?v=dQw4w9WgXcQ",
    "youtube",
    "not a url",
    # other hosts, and look-alikes of the real ones
    "https://example.com/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    "https://evilyoutube.com/watch?v=dQw4w9WgXcQ",
    "https://youtu.be.evil.example/dQw4w9WgXcQ",
    "https://vimeo.com.evil.example/76979871",
    "https://www.dailymotion.com/video/x7tgad0",
    "https://www.tiktok.com/@shop/video/7234567890123456789",
    # credentials in the link
    "https://user:pass@www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://evil.example@www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com@evil.example/watch?v=dQw4w9WgXcQ",
    "https://user@cdn.example.com/clip.mp4",
    # odd ports and addresses
    "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com:99999/watch?v=dQw4w9WgXcQ",
    "https://cdn.example.com:8080/clip.mp4",
    "https://127.0.0.1/clip.mp4",
    "https://[::1]/clip.mp4",
    "https://localhost/clip.mp4",
    "https://[not-ipv6/clip.mp4",
    # malformed YouTube IDs and paths
    "https://www.youtube.com/watch?v=dQw4w9WgXc",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQQ",
    "https://www.youtube.com/watch?v=dQw4w9WgX%22",
    "https://www.youtube.com/watch?v=<script>xx",
    "https://www.youtube.com/watch",
    "https://www.youtube.com/",
    "https://www.youtube.com/@somechannel",
    "https://www.youtube.com/playlist?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG",
    "https://youtu.be/",
    "https://youtu.be/dQw4w9WgXcQ/extra",
    "https://www.youtube.com/shorts/",
    "https://www.youtube.com/embed/dQw4w9WgXcQ/../../x",
    # malformed Vimeo links
    "https://vimeo.com/",
    "https://vimeo.com/channels/staffpicks",
    "https://vimeo.com/0123",
    "https://vimeo.com/76979871/NOT-A-HASH",
    "https://vimeo.com/1234567890123",
    "https://player.vimeo.com/video/",
    "https://player.vimeo.com/76979871",
    "https://player.vimeo.com/video/76979871?h=%22onload%3D",
    # files: plain http, wrong types
    "http://cdn.example.com/clip.mp4",
    "https://cdn.example.com/clip.mov",
    "https://cdn.example.com/clip.mp4.exe",
    "https://cdn.example.com/clip",
    "https://cdn.example.com/",
    # whitespace, control characters, length
    "https://youtu.be/dQw4w9WgXcQ extra",
    "https://cdn.example.com/my clip.mp4",
    "https://youtu.be/\x00dQw4w9WgXcQ",
    "https://www.you\ntube.com/watch?v=dQw4w9WgXcQ",
    "https://cdn.example.com/" + "a" * 500 + ".mp4",
    f"https://www.youtube.com/watch?v={ID}&x=" + "a" * 480,
    "",
    "   ",
])
def test_bad_links_are_refused_with_a_message(url: str) -> None:
    with pytest.raises(VideoUrlError) as caught:
        parse_video_url(url)
    message = str(caught.value)
    assert message.endswith(".") and len(message) > 20
    assert optional_video(url) is None


def test_messages_say_what_is_wrong() -> None:
    with pytest.raises(VideoUrlError, match="too long"):
        parse_video_url("https://youtu.be/" + "a" * 500)
    with pytest.raises(VideoUrlError, match="user name or password"):
        parse_video_url("https://a:b@youtu.be/dQw4w9WgXcQ")
    with pytest.raises(VideoUrlError, match="YouTube link"):
        parse_video_url("https://youtu.be/short")
    with pytest.raises(VideoUrlError, match="Vimeo link"):
        parse_video_url("https://vimeo.com/abc")
    with pytest.raises(VideoUrlError, match="https://"):
        parse_video_url("http://cdn.example.com/clip.webm")
    with pytest.raises(VideoUrlError, match="YouTube or Vimeo"):
        parse_video_url("ftp://example.com/a.mp4")


def test_video_url_error_is_a_value_error() -> None:
    assert issubclass(VideoUrlError, ValueError)


def test_exactly_500_characters_is_allowed() -> None:
    url = f"https://www.youtube.com/watch?v={ID}&x="
    url += "a" * (500 - len(url))
    assert len(url) == 500
    assert parse_video_url(url).video_id == ID


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t"])
def test_optional_video_blank_is_none(value: str | None) -> None:
    assert optional_video(value) is None


def test_optional_video_passes_good_links_through() -> None:
    assert optional_video(f" https://youtu.be/{ID} ") == parse_video_url(f"https://youtu.be/{ID}")


def test_embed_is_frozen() -> None:
    video = parse_video_url(f"https://youtu.be/{ID}")
    with pytest.raises(AttributeError):
        video.embed_url = "https://evil.example/"  # type: ignore[misc]
