from django.db import migrations

TAGS = [
    ("listed", "上市企业", 1),
    ("unicorn", "独角兽企业", 2),
    ("gazelle", "瞪羚企业", 3),
    ("high_tech", "国家高新技术企业", 4),
    ("key", "重点企业", 5),
]


def add_tags(apps, schema_editor):
    Tag = apps.get_model("registry", "Tag")
    for code, name, sort in TAGS:
        Tag.objects.update_or_create(code=code, defaults={"name": name, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
