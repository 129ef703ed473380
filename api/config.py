"""Configuration: defaults here, then ``XUNJIAN_*`` environment variables, then test overrides."""

from datetime import time
from pathlib import Path


class Config:
    # "development" generates missing secrets under instance/; "production" refuses to start
    # without real ones.
    ENV_NAME = "development"
    SECRET_KEY = None  # read from XUNJIAN_SECRET_KEY or instance/secret_key
    DATABASE_URL = None  # default: sqlite:///<instance>/xunjian.db
    DB_MAX_CONNECTIONS = 8

    # Accounts
    TOKEN_HOURS = 12  # one long shift
    # Failed sign-ins within the window: LOGIN_MAX_FAILURES from one address lock the name for
    # that address; LOGIN_NAME_MAX_FAILURES from all addresses together lock it for everyone.
    LOGIN_MAX_FAILURES = 5
    LOGIN_NAME_MAX_FAILURES = 100
    LOGIN_WINDOW_MINUTES = 15
    LOGIN_LOCK_MINUTES = 15
    # How many reverse proxies of ours stand in front of the app (XUNJIAN_TRUSTED_PROXIES). 0:
    # the caller's address is the connection's and X-Forwarded-For is ignored (anyone can write
    # it); n: the n-th address from the right of X-Forwarded-For, as werkzeug's ProxyFix reads.
    TRUSTED_PROXIES = 0
    # argon2id cost; tests lower it, production keeps the library's current defaults.
    PASSWORD_TIME_COST = 3
    PASSWORD_MEMORY_COST = 65536

    # Sites
    DEFAULT_TIMEZONE = "Asia/Shanghai"
    DEFAULT_WORKDAY_START = time(9, 0)

    MAX_CONTENT_LENGTH = 20 * 1024 * 1024

    # Where the guards' phones reach this server, e.g. "https://xunjian.example.cn": the address
    # printed on checkpoint and greeting-post labels (XUNJIAN_PUBLIC_BASE_URL). Unset, labels
    # carry the address the request came to, and `flask patrols sheet` needs --base-url. In
    # production a label with a loopback address (127.0.0.1, localhost) is refused.
    PUBLIC_BASE_URL = None

    # Alert webhooks aimed at this machine or a private network (127.x, localhost, 10.x,
    # 172.16-31.x, 192.168.x, 169.254.x, 100.64/10, ::1, fc00::/7, fe80::/10) are refused, so an
    # admin's URL cannot make the server post into the internal network or a cloud metadata
    # service. XUNJIAN_ALLOW_PRIVATE_WEBHOOKS=1 allows them, for a receiver on the company's own
    # network. Host names are not resolved when a webhook is saved (see models/rules/addresses).
    ALLOW_PRIVATE_WEBHOOKS = False

    # Photos: what an upload may be, what it becomes, and how reuse is spotted.
    PHOTO_MAX_BYTES = 15 * 1024 * 1024
    PHOTO_MAX_PIXELS = 50_000_000
    PHOTO_LONG_SIDE = 1600
    PHOTO_THUMB_SIDE = 320
    PHOTO_QUALITY = 82
    PHOTO_REUSE_MAX_DISTANCE = 6  # bits of the 64-bit perceptual hash
    PHOTO_REUSE_WINDOW_DAYS = 90
    # Where photo files live (models/files/storage.py): "local" (instance/photos, the embedded
    # default, one server) or "s3" (an S3-compatible bucket shared by several app servers:
    # Aliyun OSS, Tencent COS, Huawei OBS, MinIO; models/files/object_store.py).
    PHOTO_STORE = "local"
    S3_ENDPOINT = None  # e.g. "https://oss-cn-hangzhou.aliyuncs.com"; unset for AWS
    S3_BUCKET = None
    S3_REGION = None  # e.g. "oss-cn-hangzhou", "ap-guangzhou"
    # Unset: boto3's own chain (AWS_* variables, an instance role). Never logged or returned.
    S3_ACCESS_KEY = None
    S3_SECRET_KEY = None
    # "virtual" (bucket.endpoint/key; OSS and COS require it) or "path" (endpoint/bucket/key;
    # MinIO's default).
    S3_ADDRESSING = "virtual"

    # Checklists and scoring settings (checklists/scoring.toml)
    CHECKLIST_DIR = str(Path(__file__).resolve().parent.parent / "checklists")
    # An offline phone may submit an inspection this many days after it was made.
    INSPECTION_MAX_AGE_DAYS = 14
    # A planned inspection (checklists/plans.toml) this many days past its due day is alerted
    # through the site's channels (plan.overdue), once per item and due day.
    PLAN_ALERT_AFTER_DAYS = 1

    # OpenAPI: the docs page is served with local assets so it works without internet.
    API_TITLE = "巡检通 Xunjian API"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/static/vendor/swagger-ui/"
    OPENAPI_SWAGGER_UI_CONFIG = {"persistAuthorization": True}
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
            }
        },
        "info": {
            "description": (
                "Inspection and patrol backend for property-management staff. "
                "Sign in with POST /api/auth/login and send the token as "
                "`Authorization: Bearer <token>`. Errors always have the shape "
                "`{code, status, error, message, errors}`."
            )
        },
    }


class TestConfig(Config):
    TESTING = True
    ENV_NAME = "test"
    PASSWORD_TIME_COST = 1
    PASSWORD_MEMORY_COST = 1024
