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
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.CLIENT)
    practitioner = factory.SubFactory(PractitionerFactory)

    @factory.post_generation
    def case_summary(client, create, extracted, **kwargs):
        """Rows made here skip the app's operations: store the summary they skip."""
        if create:
            refresh_case(client)


def refresh_case(client: Client) -> None:
    """Store the client's case summary after a test wrote their rows directly, as
    the app's operations do after theirs."""
    from questionnaires.dashboard import case_summary

    case_summary.refresh(client.pk)
    client.refresh_from_db()
