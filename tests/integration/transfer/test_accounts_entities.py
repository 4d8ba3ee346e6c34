"""Imports and exports of companies (by code), customer users (by e-mail) and addresses."""

import pytest
from django.core import mail
from openpyxl import load_workbook

from comptoir.accounts.models import (
    Address,
    AuditEntry,
    Company,
    CustomerGroup,
    CustomerRole,
    CustomerUser,
    Department,
    User,
)
from comptoir.core.models import Event
from comptoir.integration.transfer.runner import run_export, run_import
from tests import factories

pytestmark = pytest.mark.django_db


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def messages(report) -> list[str]:
    return [str(problem) for problem in report.problems]


def counts(report, entity: str) -> tuple[int, int, int, int]:
    done = report.counts[entity]
    return done.created, done.updated, done.unchanged, done.rejected


def exported(tmp_path, entity: str, name: str | None = None, **options) -> str:
    path = tmp_path / (name or f"{entity}-export.csv")
    run_export(path, entity=entity, options=options)
    return path.read_bytes().decode("utf-8")


COMPANIES = (
    "code,name,parent,customer_group,payment_term,tax_id,vat_number,tax_code\r\n"
    'C-1,"Müller, ""Söhne"" & Co",,Wholesale,net 30,12-3456789,DE123456789,\r\n'
    'C-1.1,"Nord\nSüd GmbH",C-1,,,,,exempt\r\n'
    "C-2,東京商事株式会社,,,,,,\r\n"
)


@pytest.fixture
def reference_data():
    factories.customer_tax_code("exempt")
    return factories.company("Seller's own", with_address=False)


def test_companies_import_with_their_tree_group_term_and_taxes(tmp_path, reference_data):
    path = write(tmp_path, "companies.csv", COMPANIES)

    report = run_import(path, entity="companies")

    assert messages(report) == [
        "companies.csv:2: column customer_group: customer group 'Wholesale' did not exist and "
        "was created; if it is a misspelling of another group's name, correct the file and "
        "import it again"
    ]
    assert report.errors == []
    assert counts(report, "companies") == (3, 0, 0, 0)
    assert counts(report, "customer_groups") == (1, 0, 0, 0)
    muller = Company.objects.get(code="C-1")
    assert muller.name == 'Müller, "Söhne" & Co'
    assert (muller.customer_group.name, muller.payment_term.label) == ("Wholesale", "net 30")
    assert (muller.tax_id, muller.vat_number, muller.tax_code) == (
        "12-3456789",
        "DE123456789",
        None,
    )
    subsidiary = Company.objects.get(code="C-1.1")
    assert (subsidiary.name, subsidiary.parent, subsidiary.tax_code.code) == (
        "Nord\nSüd GmbH",
        muller,
        "exempt",
    )
    assert Company.objects.get(code="C-2").name == "東京商事株式会社"


def test_a_company_names_its_group_in_any_case_without_renaming_it(tmp_path, reference_data):
    resellers = CustomerGroup.objects.create(name="Resellers")
    path = write(tmp_path, "companies.csv", "code,name,customer_group\nC-9,Nine,resellers\n")

    report = run_import(path, entity="companies")

    assert report.problems == []
    assert Company.objects.get(code="C-9").customer_group == resellers
    resellers.refresh_from_db()
    assert resellers.name == "Resellers"


def test_a_new_group_is_said_once_and_validation_says_it_too_creating_nothing(
    tmp_path, reference_data
):
    path = write(
        tmp_path,
        "companies.csv",
        "code,name,customer_group\nC-7,Seven,Whoelsale\nC-8,Eight,whoelsale\nC-9,Nine,\n",
    )

    checked = run_import(path, entity="companies", validate_only=True)
    groups_after_check = CustomerGroup.objects.count()
    report = run_import(path, entity="companies")
    again = run_import(path, entity="companies")

    said = (
        "companies.csv:2: column customer_group: customer group 'Whoelsale' did not exist and "
        "was created; if it is a misspelling of another group's name, correct the file and "
        "import it again"
    )
    assert [(p.severity, str(p)) for p in checked.problems] == [("warning", said)]
    assert groups_after_check == 0
    assert messages(report) == [said]
    assert list(CustomerGroup.objects.values_list("name", flat=True)) == ["Whoelsale"]
    assert again.problems == []


def test_companies_export_as_imported_and_import_again_unchanged(tmp_path, reference_data):
    run_import(write(tmp_path, "companies.csv", COMPANIES), entity="companies")

    text = exported(tmp_path, "companies")
    again = run_import(write(tmp_path, "again.csv", text), entity="companies")

    # Parents before their subsidiaries; the seller's own company has a code made from its name.
    assert text == COMPANIES + "SELLERS-OWN,Seller's own,,,net 30,,,\r\n"
    assert counts(again, "companies") == (0, 0, 4, 0)
    assert again.problems == []


def test_a_new_company_is_recorded_once_in_the_outbox_and_the_audit_log(tmp_path, reference_data):
    path = write(tmp_path, "companies.csv", COMPANIES)

    run_import(path, entity="companies")
    second = run_import(path, entity="companies")

    assert counts(second, "companies") == (0, 0, 3, 0)
    created = Event.objects.filter(name="company_created").order_by("id")
    assert [event.entity_key for event in created] == ["C-1", "C-1.1", "C-2"]
    assert created[1].payload == {"code": "C-1.1", "name": "Nord\nSüd GmbH", "parent": "C-1"}
    assert AuditEntry.objects.filter(action="company.created").count() == 3
    assert not AuditEntry.objects.filter(action="company.updated").exists()


def test_a_partial_company_file_changes_only_its_columns(tmp_path, reference_data):
    run_import(write(tmp_path, "companies.csv", COMPANIES), entity="companies")

    report = run_import(
        write(tmp_path, "tax.csv", "code,tax_id\nc-1,99-0000000\nC-2,\n"), entity="companies"
    )

    assert counts(report, "companies") == (0, 1, 1, 0)
    muller = Company.objects.get(code="C-1")
    assert (muller.tax_id, muller.customer_group.name, muller.vat_number) == (
        "99-0000000",
        "Wholesale",
        "DE123456789",
    )
    [entry] = AuditEntry.objects.filter(action="company.updated")
    assert (entry.before["tax_id"], entry.after["tax_id"]) == ("12-3456789", "99-0000000")


def test_bad_company_rows_are_reported_and_nothing_of_them_is_written(tmp_path, reference_data):
    factories.company("Taken Name", code="TAKEN", with_address=False)
    text = (
        "code,name,parent,payment_term,vat_number,tax_code\n"
        "OK-1,Fine,,,,\n"
        "bad code,Spaces,,,,\n"
        "NEW-1,,,,,\n"
        "ORPHAN,Orphan,NOWHERE,,,\n"
        "TERM,Term,,net 999,,\n"
        "VAT,Vat,,,DE12,\n"
        "TAXCODE,Tax code,,,,diplomat\n"
        "DUP,Taken name,,,,\n"
        "OK-1,Twice,,,,\n"
        "OK-2,Also fine,OK-1,,,\n"
    )

    report = run_import(write(tmp_path, "companies.csv", text), entity="companies")

    assert sorted(Company.objects.values_list("code", flat=True)) == [
        "OK-1",
        "OK-2",
        "SELLERS-OWN",
        "TAKEN",
    ]
    assert Company.objects.get(code="OK-2").parent.code == "OK-1"
    assert messages(report) == [
        "companies.csv:3: column code: 'bad code' is not a company code: write letters, digits "
        "and . - _ / only",
        "companies.csv:4: column name: is empty",
        "companies.csv:7: column vat_number: 'DE12' is not shaped like a DE VAT number; write "
        "it as in DE123456789",
        "companies.csv:10: column code: duplicates company OK-1 on line 2",
        "companies.csv:5: column parent: no company has the code 'NOWHERE'; import the company "
        "first, or correct the code",
        "companies.csv:6: column payment_term: no payment term is labelled 'net 999'; write one "
        "of: net 30",
        "companies.csv:8: column tax_code: no customer tax code is 'diplomat'; write one of: "
        "exempt, or leave it empty",
        "companies.csv:9: column name: The name 'Taken name' is already company TAKEN's: names "
        "are unique; give another name, or write the code TAKEN to change that company",
    ]
    assert counts(report, "companies") == (2, 0, 0, 8)


def test_a_company_cannot_become_a_subsidiary_of_its_own_subsidiary(tmp_path, reference_data):
    run_import(write(tmp_path, "companies.csv", COMPANIES), entity="companies")

    report = run_import(
        write(tmp_path, "cycle.csv", "code,parent\nC-1,C-1.1\n"), entity="companies"
    )

    assert messages(report) == [
        "cycle.csv:2: column parent: Company C-1 cannot be a subsidiary of C-1.1: C-1.1 is C-1 "
        "itself or one of its subsidiaries"
    ]
    assert Company.objects.get(code="C-1").parent is None


def test_a_new_company_without_a_name_column_is_refused(tmp_path):
    report = run_import(write(tmp_path, "codes.csv", "code,tax_id\nNEW,1\n"), entity="companies")

    assert messages(report) == ["codes.csv:2: column name: Company 'NEW' is new: it needs a name"]
    assert not Company.objects.exists()


def test_companies_made_elsewhere_get_a_code_from_their_name():
    first = Company.objects.create(name="Acme Corp")
    second = Company.objects.create(name="ACME corp.")
    kanji = Company.objects.create(name="東京商事")

    assert (first.code, second.code, kanji.code) == ("ACME-CORP", "ACME-CORP-2", "東京商事")


def test_companies_round_trip_through_xlsx(tmp_path, reference_data):
    run_import(write(tmp_path, "companies.csv", COMPANIES), entity="companies")
    path = tmp_path / "companies.xlsx"

    run_export(path, entity="companies")
    report = run_import(path, entity="companies")

    sheet = load_workbook(path).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert 'Müller, "Söhne" & Co' in names and "Nord\nSüd GmbH" in names
    assert counts(report, "companies") == (0, 0, 4, 0)


def test_validate_only_writes_no_company(tmp_path, reference_data):
    report = run_import(
        write(tmp_path, "companies.csv", COMPANIES), entity="companies", validate_only=True
    )

    assert counts(report, "companies") == (3, 0, 0, 0)
    assert list(Company.objects.values_list("code", flat=True)) == ["SELLERS-OWN"]
    assert not Event.objects.filter(name="company_created").exists()


USERS = (
    "email,company,first_name,last_name,roles,department,active,language\r\n"
    'ana@example.com,C-1,Ana,"O\'Brien, ""Jr""","administrator, buyer",Sales > North,1,fr\r\n'
    "kenji@example.jp,C-1,健二,山田,viewer,,0,\r\n"
)


@pytest.fixture
def company():
    return factories.company("Müller KG", code="C-1")


def test_customer_users_import_with_roles_department_and_no_password(tmp_path, company):
    report = run_import(write(tmp_path, "users.csv", USERS), entity="customer_users")

    assert report.problems == []
    assert counts(report, "customer_users") == (2, 0, 0, 0)
    ana = CustomerUser.objects.get(user__email="ana@example.com")
    assert (ana.user.first_name, ana.user.last_name, ana.user.language) == (
        "Ana",
        'O\'Brien, "Jr"',
        "fr",
    )
    assert sorted(role.code for role in ana.roles.all()) == ["administrator", "buyer"]
    assert (ana.department.name, ana.department.parent.name) == ("North", "Sales")
    assert ana.user.has_usable_password() is False
    kenji = CustomerUser.objects.get(user__email="kenji@example.jp")
    assert (kenji.user.first_name, kenji.user.is_active, kenji.department) == ("健二", False, None)
    assert mail.outbox == []


def test_customer_users_export_as_imported_without_passwords(tmp_path, company):
    run_import(write(tmp_path, "users.csv", USERS), entity="customer_users")
    User.objects.filter(email="ana@example.com").update(password="md5$salt$hash")

    text = exported(tmp_path, "customer_users")
    again = run_import(write(tmp_path, "again.csv", text), entity="customer_users")

    assert text == USERS
    assert "md5$" not in text
    assert counts(again, "customer_users") == (0, 0, 2, 0)
    assert User.objects.get(email="ana@example.com").password == "md5$salt$hash"


def test_a_partial_user_file_changes_only_its_columns(tmp_path, company):
    run_import(write(tmp_path, "users.csv", USERS), entity="customer_users")

    report = run_import(
        write(tmp_path, "active.csv", "email,active\nKENJI@example.jp,1\nana@example.com,1\n"),
        entity="customer_users",
    )

    assert counts(report, "customer_users") == (0, 1, 1, 0)
    kenji = CustomerUser.objects.get(user__email="kenji@example.jp")
    assert (kenji.user.is_active, kenji.user.first_name) == (True, "健二")
    assert [role.code for role in kenji.roles.all()] == ["viewer"]
    entry = AuditEntry.objects.get(action="customer_user.updated")
    assert (entry.before["is_active"], entry.after["is_active"]) == (False, True)


def test_bad_user_rows_are_reported_and_nothing_of_them_is_written(tmp_path, company):
    User.objects.create_user("staff@example.com", is_staff=True)
    text = (
        "email,company,roles,department,language\n"
        "ok@example.com,C-1,buyer,,\n"
        "not-an-email,C-1,,,\n"
        "new@example.com,NOWHERE,,,\n"
        "role@example.com,C-1,buyer,Sales > > North,\n"
        "boss@example.com,C-1,owner,Sales,\n"
        "staff@example.com,C-1,,,\n"
        "lang@example.com,C-1,,,de\n"
        "ok@example.com,C-1,,,\n"
    )

    report = run_import(write(tmp_path, "users.csv", text), entity="customer_users")

    assert list(CustomerUser.objects.values_list("user__email", flat=True)) == ["ok@example.com"]
    assert not Department.objects.exists()
    assert messages(report) == [
        "users.csv:3: column email: 'not-an-email' is not an e-mail address; write one as "
        "pat@example.com",
        "users.csv:5: column department: 'Sales > > North' has an empty name; write the names "
        "from the top, each once, as in Sales > North",
        "users.csv:8: column language: 'de' is not one of en, fr; or leave it empty",
        "users.csv:9: column email: duplicates 'ok@example.com' on line 2",
        "users.csv:4: column company: no company has the code 'NOWHERE'; import the company "
        "first, or correct the code",
        "users.csv:6: column roles: Unknown role owner for company C-1; its roles are: "
        "administrator, buyer, viewer",
        "users.csv:7: column email: 'staff@example.com' is a staff login; a customer user needs "
        "another e-mail",
    ]


def test_a_company_keeps_a_user_who_can_manage_users(tmp_path, company):
    administrator = factories.customer_user(company, "boss@example.com", role="administrator")

    report = run_import(
        write(tmp_path, "users.csv", "email,active\nboss@example.com,0\n"), entity="customer_users"
    )

    assert messages(report) == [
        "users.csv:2: This would leave Müller KG without an active user who can manage users: "
        "give that right to another user first."
    ]
    administrator.user.refresh_from_db()
    assert administrator.user.is_active is True


def test_a_company_role_can_be_given_and_a_move_leaves_it_behind(tmp_path, company):
    CustomerRole.objects.create(code="approver", name="Approver", company=company)
    other = factories.company("Other", code="C-9")
    run_import(write(tmp_path, "users.csv", USERS), entity="customer_users")
    run_import(
        write(tmp_path, "roles.csv", 'email,roles\nkenji@example.jp,"viewer,approver"\n'),
        entity="customer_users",
    )

    report = run_import(
        write(tmp_path, "move.csv", "email,company\nkenji@example.jp,C-9\n"),
        entity="customer_users",
    )

    assert report.problems == []
    kenji = CustomerUser.objects.get(user__email="kenji@example.jp")
    assert kenji.company == other
    assert [role.code for role in kenji.roles.all()] == ["viewer"]


ADDRESSES = (
    "company,label,name,street,street2,city,region,postal_code,country,billing,shipping,"
    "default_billing,default_shipping\r\n"
    'C-1,Dock 7,"Receiving, ""dock"" 7",Hafenstraße 7,"Tor 2\nHalle B",Hamburg,,20457,DE,'
    "0,1,0,1\r\n"
    "C-1,Head office,,1 Main Street,,Springfield,IL,62701,US,1,1,1,0\r\n"
    "C-1,,,大通り 1,,札幌市,,060-0042,JP,1,0,0,0\r\n"
)


def test_addresses_import_with_their_defaults_and_export_as_imported(tmp_path):
    factories.company("Müller KG", code="C-1", with_address=False)

    report = run_import(write(tmp_path, "addresses.csv", ADDRESSES), entity="addresses")
    text = exported(tmp_path, "addresses")
    again = run_import(write(tmp_path, "again.csv", text), entity="addresses")

    assert report.problems == []
    assert counts(report, "addresses") == (3, 0, 0, 0)
    dock = Address.objects.get(label="Dock 7")
    assert (dock.name, dock.street2, dock.is_billing, dock.is_default_shipping) == (
        'Receiving, "dock" 7',
        "Tor 2\nHalle B",
        False,
        True,
    )
    # The unlabelled address sorts first; the others by label.
    lines = ADDRESSES.split("\r\n")
    assert text == "\r\n".join([lines[0], lines[3], lines[1], lines[2], ""])
    assert counts(again, "addresses") == (0, 0, 3, 0)


def test_an_address_is_found_by_its_label_ignoring_case(tmp_path):
    company = factories.company("Müller KG", code="C-1")
    head_office = company.addresses.get()
    text = (
        "company,label,street,default_shipping\n"
        "c-1,head office,2 New Street,0\n"
        "C-1,Dock,9 Quay,1\n"
    )

    report = run_import(write(tmp_path, "moves.csv", text), entity="addresses")

    assert messages(report) == ["moves.csv:3: column city: The city is required."]
    head_office.refresh_from_db()
    assert (head_office.label, head_office.street, head_office.is_default_shipping) == (
        "head office",
        "2 New Street",
        False,
    )
    assert not Address.objects.filter(label="Dock").exists()


def test_a_new_default_address_takes_the_default_from_the_old_one(tmp_path):
    company = factories.company("Müller KG", code="C-1")
    head_office = company.addresses.get()
    text = (
        "company,label,street,city,country,default_billing,default_shipping\n"
        "C-1,Dock,9 Quay,Hamburg,DE,0,1\n"
    )

    report = run_import(write(tmp_path, "dock.csv", text), entity="addresses")

    assert report.problems == []
    head_office.refresh_from_db()
    assert (head_office.is_default_billing, head_office.is_default_shipping) == (True, False)
    assert Address.objects.get(label="Dock").is_default_shipping is True
    assert AuditEntry.objects.filter(
        action="address.updated", object_id=str(head_office.pk)
    ).get().after == {"is_default_shipping": False}


def test_bad_address_rows_are_reported_and_nothing_of_them_is_written(tmp_path):
    factories.company("Müller KG", code="C-1", with_address=False)
    text = (
        "company,label,street,city,country,billing,default_billing\n"
        "C-1,A,1 Road,Town,USA,1,0\n"
        "C-1,B,1 Road,Town,US,0,1\n"
        "C-1,,,Town,US,1,0\n"
        "C-1,C,1 Road,Town,US,1,1\n"
        "C-1,D,1 Road,Town,US,1,1\n"
        "C-2,E,1 Road,Town,US,1,0\n"
        "C-1,F,,Town,US,1,0\n"
    )

    report = run_import(write(tmp_path, "addresses.csv", text), entity="addresses")

    assert list(Address.objects.values_list("label", flat=True)) == ["C"]
    assert messages(report) == [
        "addresses.csv:2: column country: 'USA' is not a country code: write two letters",
        "addresses.csv:3: column default_billing: a default billing address has 1 in the "
        "billing column",
        "addresses.csv:4: column street: is empty; an address without a label is found by its "
        "street, city and country",
        "addresses.csv:6: column default_billing: duplicates the default billing address of "
        "company C-1 on line 5",
        "addresses.csv:7: column company: no company has the code 'C-2'; import the company "
        "first, or correct the code",
        "addresses.csv:8: column street: The street is required.",
    ]
