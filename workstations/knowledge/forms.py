"""The article form: every input length-capped; the links are chosen from the catalogue."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField  # only uploaded files: a text field of that name is no file
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import (
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.diagnostics.models import DiagnosisCode
from servicecenter.knowledge.models import Article, ArticleState, Visibility
from servicecenter.knowledge.services import MAX_BODY, MAX_TAGS, MAX_TITLE
from workstations.web.forms import IdField

VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("Public: anyone, in the help section and on the status page"),
    Visibility.INTERNAL: _l("Internal: our staff only"),
    Visibility.PARTNER: _l("Partners: our staff and partner centers"),
    Visibility.CUSTOMER: _l("One customer's private section"),
}
SHORT_VISIBILITY = {
    Visibility.PUBLIC: _l("public"),
    Visibility.INTERNAL: _l("internal"),
    Visibility.PARTNER: _l("partners"),
    Visibility.CUSTOMER: _l("customer's section"),
}
STATE_LABELS = {
    ArticleState.DRAFT: _l("draft"),
    ArticleState.PUBLISHED: _l("published"),
    ArticleState.ARCHIVED: _l("archived"),
}


class ArticleForm(FlaskForm):
    title = StringField(_l("Title"), [DataRequired(), Length(max=MAX_TITLE)])
    body = TextAreaField(_l("Text (Markdown)"), [Optional(), Length(max=MAX_BODY)],
                         description=_l("Markdown: **bold**, lists, tables, [links](https://…). HTML is shown as text."))
    visibility = SelectField(_l("Who sees it"), choices=[SelectChoice(v.value, VISIBILITY_LABELS[v]) for v in Visibility],
                             default=Visibility.INTERNAL.value)
    customer_phone = StringField(_l("Customer's phone (for a customer's section)"), [Optional(), Length(max=40)])
    tags = StringField(_l("Tags, separated by commas"), [Optional(), Length(max=MAX_TAGS)])
    manufacturer_ids = SelectMultipleField(_l("Brands"), coerce=str, choices=[], validate_choice=False)
    model_ids = SelectMultipleField(_l("Models"), coerce=str, choices=[], validate_choice=False)
    categories = SelectMultipleField(_l("Product categories"), coerce=str, choices=[], validate_choice=False)
    code_ids = SelectMultipleField(_l("Diagnosis codes"), coerce=str, choices=[], validate_choice=False)
    revision = IntegerField(validators=[Optional()])

    def fill_choices(self, session: Session) -> None:
        """The catalogue as choices (active entries, and whatever the article already links)."""
        self.manufacturer_ids.choices = [SelectChoice(str(m.id), m.name) for m in session.scalars(
            select(Manufacturer).order_by(Manufacturer.name))]
        self.model_ids.choices = [SelectChoice(str(mid), f"{brand} {name}") for mid, brand, name in session.execute(
            select(ProductModel.id, Manufacturer.name, ProductModel.name)
            .join(Manufacturer, Manufacturer.id == ProductModel.manufacturer_id)
            .order_by(Manufacturer.name, ProductModel.name))]
        self.categories.choices = [SelectChoice(c, c) for c in session.scalars(
            select(ProductModel.category).distinct().order_by(ProductModel.category))]
        self.code_ids.choices = [SelectChoice(str(c.id), f"{c.category} · {c.code} {c.name}") for c in session.scalars(
            select(DiagnosisCode).order_by(DiagnosisCode.category, DiagnosisCode.kind, DiagnosisCode.code))]

    def service_values(self) -> dict[str, Any]:
        return {"title": self.title.data, "body": self.body.data, "visibility": self.visibility.data,
                "customer_phone": self.customer_phone.data, "tags": self.tags.data,
                "manufacturer_ids": self.manufacturer_ids.data, "model_ids": self.model_ids.data,
                "categories": self.categories.data, "code_ids": self.code_ids.data}

    @classmethod
    def for_article(cls, article: Article) -> ArticleForm:
        return cls(formdata=None, title=article.title, body=article.body, visibility=article.visibility.value,
                   customer_phone=article.customer.phone if article.customer else "", tags=article.tags_text,
                   manufacturer_ids=[str(m.id) for m in article.manufacturers],
                   model_ids=[str(m.id) for m in article.models], categories=article.categories,
                   code_ids=[str(c.id) for c in article.codes], revision=article.revision)


class StateForm(FlaskForm):
    state = HiddenField(validators=[DataRequired(), Length(max=20)])
    revision = IntegerField(validators=[Optional()])


class RollbackForm(FlaskForm):
    number = IdField(validators=[DataRequired()])
    revision = IntegerField(validators=[Optional()])


class FilesForm(FlaskForm):
    files = MultipleFileField(_l("Images or PDF files"))


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""
