"""Import every model so the metadata is complete (Alembic, tests, create_all), and every job
handler so a worker that imports this module knows them all."""

from servicecenter import idempotency  # the periodic purge of old idempotency keys
from servicecenter.accounts.models import LoginAttempt, ThrottleHit, User, UserSession
from servicecenter.accounts.token_models import ApiToken, IdempotencyKey
from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import Location, ServiceCenter
from servicecenter.customers.models import Contact, Customer, ServiceContract
from servicecenter.db import Base
from servicecenter.deadlines.jobs import recompute_job
from servicecenter.deadlines.models import CalendarDay, DeadlineRule
from servicecenter.diagnostics.models import (
    ChecklistItem,
    ChecklistTick,
    DiagnosisCode,
    OrderDiagnosis,
    PartSwap,
)
from servicecenter.equipment.models import Unit
from servicecenter.filejobs import jobs as file_jobs  # the bulk file render and purge jobs
from servicecenter.filejobs.models import FileJob
from servicecenter.jobs import relay as outbox_relay  # the periodic outbox relay job
from servicecenter.jobs.models import OutboxJob, PeriodicRun
from servicecenter.knowledge.models import Article, ArticleCategory, ArticleFile, ArticleVersion
from servicecenter.maintenance import jobs as maintenance_jobs  # the periodic "maintenance.plan" job
from servicecenter.maintenance.models import MaintenanceOccurrence, MaintenancePlan, UnitDate
from servicecenter.notifications import jobs as notification_jobs
from servicecenter.notifications import rules as notification_rules
from servicecenter.notifications.models import Notification
from servicecenter.pricing.models import LabourItem
from servicecenter.repairs.estimate_models import Estimate, EstimateLine
from servicecenter.repairs.models import Attachment, OrderCounter, RepairEvent, RepairOrder, WorkLog
from servicecenter.settlements.models import (
    ClaimLine,
    ManufacturerClaim,
    PartnerStatement,
    RateCard,
    RateCardLine,
    StatementLine,
)
from servicecenter.shipments.models import Shipment, ShipmentCounter, ShipmentItem
from servicecenter.stock import places as stock_places  # noqa: F401  (the receipt's state listener)
from servicecenter.stock.count_models import CountLine, InventoryCount
from servicecenter.stock.models import Part, PartRequest, Reservation, StockLevel, StockMove
from servicecenter.webhooks import jobs as webhook_jobs  # the deliver/retry jobs and the state listener
from servicecenter.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "ChecklistItem", "ChecklistTick", "DiagnosisCode", "OrderDiagnosis", "PartSwap",
    "CountLine", "InventoryCount", "Estimate", "EstimateLine", "LabourItem", "PartRequest",
    "Attachment", "Base", "Notification", "notification_jobs", "notification_rules", "CalendarDay", "DeadlineRule", "Contact", "Customer", "Location", "LoginAttempt", "Manufacturer", "OrderCounter", "OutboxJob", "PeriodicRun", "outbox_relay",
    "Part", "ProductModel", "RepairEvent", "RepairOrder", "Reservation", "ServiceCenter", "ServiceContract",
    "ClaimLine", "ManufacturerClaim", "PartnerStatement", "RateCard", "RateCardLine", "StatementLine", "recompute_job", "Shipment", "ShipmentCounter", "ShipmentItem", "StockLevel", "StockMove", "ThrottleHit", "Unit", "User", "UserSession", "WorkLog",
    "WebhookAttempt", "WebhookDelivery", "WebhookSubscription", "webhook_jobs", "FileJob", "file_jobs",
    "MaintenanceOccurrence", "MaintenancePlan", "UnitDate", "maintenance_jobs",
    "Article", "ArticleCategory", "ArticleFile", "ArticleVersion",
    "ApiToken", "IdempotencyKey", "idempotency",
]
