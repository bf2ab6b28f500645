import factory

from practice.models import Client, Practitioner, Role, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    role = Role.CLIENT
    password = factory.django.Password(PASSWORD)


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    user = factory.SubFactory(UserFactory, role=Role.PRACTITIONER)
    registration = factory.Sequence(lambda n: f"REG-{n:05d}")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    user = factory.SubFactory(UserFactory, role=Role.CLIENT)
    practitioner = factory.SubFactory(PractitionerFactory)
