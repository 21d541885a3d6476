"""The JSON API under /api/v1/ (django-ninja); OpenAPI docs at /api/v1/docs."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="清廉企业建设开放平台 API",
    version="1",
    description="组织、人员（脱敏）、会员资格、承诺书与签署。令牌认证：Authorization: Bearer <token>。",
    urls_namespace="api",
)
