FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends libmagic1 gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# The translation catalogues are compiled here (the .mo files are not in the repository).
RUN DEBUG=true python manage.py compilemessages --verbosity 0
RUN mkdir -p /data/private var/staticfiles && useradd --create-home atende && chown -R atende /app /data
USER atende
EXPOSE 8000
