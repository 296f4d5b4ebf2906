from django.db import models


class Marker(models.Model):
    label = models.CharField(max_length=20)
    note = models.CharField(max_length=20, blank=True, default="")

    def __str__(self) -> str:
        return self.label
