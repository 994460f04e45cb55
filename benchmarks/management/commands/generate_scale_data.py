"""Generate (or clear) clearly marked scale data for benchmarks: see benchmarks/scale.py for what is generated."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks import scale


def shape_from_options(options: dict[str, Any]) -> scale.Shape:
    """A preset, or explicit numbers (each overriding the preset's, default preset district)."""
    base = scale.PRESETS[options.get("preset") or "district"]
    values = {}
    for key in ("units", "plans", "indicators", "years", "seed"):
        given = options.get(key)
        if given is not None:
            if given < 1:
                raise CommandError(f"--{key} 必须为正整数。")
            values[key] = given
    shape = scale.Shape(**{**base.__dict__, **values})
    if shape.indicators < shape.plans:
        raise CommandError("--indicators 不能少于 --plans（每个规划至少一个指标）。")
    if shape.years < 2:
        raise CommandError("--years 至少为 2（需要已锁定的历史季度和当前开放季度）。")
    return shape


class Command(BaseCommand):
    help = (
        "生成压测数据（单位、规划、指标、实际值及历史，均标注“压测”/is_demo，可用 --clear 删除）。"
        "例：generate_scale_data --preset province；generate_scale_data --units 20 --plans 4 --indicators 300 --years 5"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--preset", choices=sorted(scale.PRESETS), help="district ≈ 4 万条；province ≈ 160 万条")
        parser.add_argument("--units", type=int, help="县（考核对象单位）数")
        parser.add_argument("--plans", type=int, help="规划数")
        parser.add_argument("--indicators", type=int, help="指标总数（分布于各规划，第一个规划最大）")
        parser.add_argument("--years", type=int, help=f"季度数据的年数（截至 {scale.END_YEAR} 年第四季度）")
        parser.add_argument("--seed", type=int, help="随机种子（默认 1）")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--clear",
            action="store_true",
            help="删除压测数据：单独使用时删除全部压测数据集；与 --preset 或规模参数同用时只删除该数据集",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        log = self.stdout.write
        shape_given = any(
            options.get(k) is not None for k in ("preset", "units", "plans", "indicators", "years", "seed")
        )
        if options["clear"]:
            tag = shape_from_options(options).tag if shape_given else None
            counts = scale.clear(tag, log)
            log(
                self.style.SUCCESS(
                    f"已删除压测数据：数据集{counts['roots']}个，规划{counts['plans']}个，实际值{counts['values']:,}条，"
                    f"历史{counts['history']:,}条，用户{counts['users']}个，未再使用的压测周期{counts['periods']}个。"
                )
            )
            return
        shape = shape_from_options(options)
        log(
            f"生成压测数据集“{shape.tag}”：{shape.units}个县 × {shape.indicators}个指标（{shape.plans}个规划）× "
            f"{shape.years * 4}个季度，约{shape.expected_values:,}条实际值。"
        )
        result = scale.generate(shape, batch_size=options["batch_size"], log=log)
        if not result.get("skipped"):
            log(
                self.style.SUCCESS(
                    f"完成：实际值{result['values']:,}条，历史记录{result['history']:,}条，用时{result['seconds']}秒。"
                    f"删除：python manage.py generate_scale_data --clear"
                )
            )
