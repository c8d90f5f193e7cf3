"""pt-BR dates as the guide writes them: dd/mm/aaaa hh:mm (DATETIME_FORMAT adds the seconds of "Enviado em:")."""

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i:s"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
