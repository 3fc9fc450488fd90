"""Where product photos are stored and served from, chosen by environment.

No bucket: files under MEDIA_ROOT, served by this site at /media/ (run mode
and tests; see SERVE_MEDIA). ``AWS_STORAGE_BUCKET_NAME`` set: S3 or any
S3-compatible store through django-storages, with URLs on a public domain
(a CDN in front of the bucket, or the bucket's own address), which the
Content Security Policy then allows images from. docs/photos.md lists the
variables. Pure, so a test can call it with any environment.
"""

from collections.abc import Mapping
from urllib.parse import urlsplit

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"
# Every stored name is unique (a new name per upload, per thumbnail), so
# caches may keep a photo for good.
CACHE_CONTROL = "public, max-age=31536000, immutable"


def media_settings(environ: Mapping[str, str]) -> dict:
    """``STORAGES["default"]``, ``MEDIA_URL`` and the extra ``img-src``
    origin (or None) for this environment."""
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        return {
            "storage": {"BACKEND": FILESYSTEM},
            "media_url": "media/",
            "origin": None,
        }
    location = environ.get("AWS_LOCATION", "media").strip("/")
    endpoint = environ.get("AWS_S3_ENDPOINT_URL", "").strip().rstrip("/")
    region = environ.get("AWS_S3_REGION_NAME", "").strip()
    domain = environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip().strip("/")
    scheme = "https"
    if not domain:
        if endpoint:
            # An S3-compatible store (MinIO, R2, Spaces...), path-style.
            parts = urlsplit(endpoint)
            scheme = parts.scheme or "https"
            domain = f"{parts.netloc}{parts.path}/{bucket}"
        elif region:
            domain = f"{bucket}.s3.{region}.amazonaws.com"
        else:
            domain = f"{bucket}.s3.amazonaws.com"
    options = {
        "bucket_name": bucket,
        "location": location,
        # Public, unsigned URLs built without asking S3: a page of photos
        # costs no signing and no request, and a CDN can cache them.
        "custom_domain": domain,
        "url_protocol": f"{scheme}:",
        "querystring_auth": False,
        "file_overwrite": False,
        "object_parameters": {"CacheControl": CACHE_CONTROL},
    }
    if endpoint:
        options["endpoint_url"] = endpoint
    if region:
        options["region_name"] = region
    host = domain.split("/", 1)[0]
    prefix = f"{location}/" if location else ""
    return {
        "storage": {"BACKEND": S3, "OPTIONS": options},
        "media_url": f"{scheme}://{domain}/{prefix}",
        "origin": f"{scheme}://{host}",
    }
