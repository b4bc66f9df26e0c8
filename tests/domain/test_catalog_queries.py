"""Finding catalogue models at the counter: by id, by typed words, by the name in full."""

from __future__ import annotations

from servicecenter.catalog.queries import find_model_by_name, get_active_model, list_models_matching


def test_an_active_model_by_id_comes_with_its_brand_and_nothing_else_does(session, factory) -> None:  # noqa: ANN001
    model, retired, orphan = factory.model(name="A1"), factory.model(name="A2"), factory.model(name="A3")
    retired.active = False
    orphan.manufacturer.active = False
    session.flush()
    session.expunge_all()
    found = get_active_model(session, model.id)
    assert found is not None and "manufacturer" in found.__dict__  # loaded by the same query
    assert [get_active_model(session, i) for i in (retired.id, orphan.id, 999_999, 0, None)] == [None] * 5


def test_typed_words_match_brand_name_and_category_in_any_case(session, factory) -> None:  # noqa: ANN001
    indesit = factory.manufacturer("Индезит")
    washer = factory.model(indesit, name="IWSB 5085", category="Стиральные машины")
    factory.model(indesit, name="DFG 15B10", category="Посудомоечные машины")
    assert list_models_matching(session, "индезит IWSB") == [washer]
    assert list_models_matching(session, "СТИРАЛЬНЫЕ") == [washer]
    assert len(list_models_matching(session, "индезит машины")) == 2
    assert len(list_models_matching(session, "индезит машины", limit=1)) == 1
    assert list_models_matching(session, " и ") == []  # too little to search by


def test_a_model_named_in_full_is_found_only_when_the_name_is_exact_and_unique(session, factory) -> None:  # noqa: ANN001
    lg, lg_el = factory.manufacturer("LG"), factory.manufacturer("LG Electronics")
    tv = factory.model(lg, name="Телевизор 43UQ", category="Телевизоры")
    factory.model(lg, name="Телевизор 43UQ Plus", category="Телевизоры")
    factory.model(lg, name="Electronics X1", category="Пылесосы")
    factory.model(lg_el, name="X1", category="Пылесосы")  # "LG Electronics X1" twice
    assert find_model_by_name(session, "lg телевизор 43uq") == tv
    assert find_model_by_name(session, "LG ТЕЛЕВИЗОР 43UQ (телевизоры)") == tv
    assert find_model_by_name(session, "LG Телевизор 43UQ (Пылесосы)") is None  # the category says otherwise
    assert find_model_by_name(session, "LG Телевизор") is None  # part of a name is not a name
    assert find_model_by_name(session, "LG Electronics X1") is None  # two models answer to it
    assert find_model_by_name(session, "") is None and find_model_by_name(session, None) is None
