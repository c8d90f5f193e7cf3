"""Test data, made through the real models and services."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from validate_docbr import CNPJ, CPF

from people.models import Contact, Entity, Person
from people.services import person_next_code
from tickets.models import Module
from tickets.permissions import attendants_group_ensure


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "senha-de-teste")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AttendantFactory(UserFactory):
    username = factory.Sequence(lambda n: f"atendente{n}")
    first_name = "Ana Paula"
    last_name = factory.Sequence(lambda n: f"Schmitt {n}")
    is_staff = True

    @factory.post_generation
    def attendants_group(obj, create, extracted, **kwargs):
        if create:
            # A transactional test flushes the tables, migration data included: make the group again.
            obj.groups.add(attendants_group_ensure(Group, Permission))


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    name = factory.Sequence(lambda n: f"Prefeitura Municipal {n}")
    cnpj = factory.LazyFunction(lambda: CNPJ().generate())
    online_chat_enabled = True


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    code = factory.LazyFunction(person_next_code)
    name = factory.Sequence(lambda n: f"SERVIDOR NUMERO {n}")
    kind = Person.Kind.FISICA
    document = factory.LazyFunction(lambda: CPF().generate())
    entity = factory.SubFactory(EntityFactory)
    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def contacts(obj, create, extracted, **kwargs):
        """By default a person has a confirmed e-mail and a phone; pass contacts=False for none."""
        if not create or extracted is False:
            return
        Contact.objects.create(
            person=obj,
            kind=Contact.Kind.EMAIL,
            value=f"pessoa{obj.pk}@prefeitura.sc.gov.br",
            confirmed_at=timezone.now(),
        )
        Contact.objects.create(person=obj, kind=Contact.Kind.PHONE, value="(47) 3531-1500")


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module
        django_get_or_create = ("name",)

    name = "Nota Fiscal Eletrônica Web"
