from typing import Any

from django.core.management.base import BaseCommand

from warmwinter.places.reference import load_reference_data


class Command(BaseCommand):
    help = "载入上海市区划、街镇、救助管理站和重点点位参考数据（可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        s = load_reference_data()
        self.stdout.write(
            f"参考数据：{s.districts} 个区，{s.streets} 个街镇，{s.stations} 个救助管理站，"
            f"{s.key_places} 个重点点位"
        )
