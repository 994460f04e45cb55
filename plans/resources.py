"""django-import-export resources for admin import/export of reference data (not the actuals path)."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from plans.models import Department, Plan, Task


class DepartmentResource(resources.ModelResource):
    parent = fields.Field(attribute="parent", column_name="上级单位", widget=ForeignKeyWidget(Department, "name"))
    name = fields.Field(attribute="name", column_name="单位名称")
    short_name = fields.Field(attribute="short_name", column_name="简称")
    kind = fields.Field(attribute="kind", column_name="类型")
    category = fields.Field(attribute="category", column_name="考核类别")
    order = fields.Field(attribute="order", column_name="排序")

    class Meta:
        model = Department
        fields = ["id", "parent", "name", "short_name", "kind", "category", "order"]
        import_id_fields = ["id"]


class TaskResource(resources.ModelResource):
    plan = fields.Field(attribute="plan", column_name="规划代码", widget=ForeignKeyWidget(Plan, "code"))
    number = fields.Field(attribute="number", column_name="编号")
    text = fields.Field(attribute="text", column_name="任务内容")
    departments_text = fields.Field(attribute="departments_text", column_name="单位表述（原文）")

    class Meta:
        model = Task
        fields = ["id", "plan", "number", "text", "departments_text"]
        import_id_fields = ["id"]
