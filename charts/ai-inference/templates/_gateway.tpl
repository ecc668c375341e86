{{/*
Routes the gateway forwards to Ollama; everything else is refused without reaching it.
*/}}
{{- define "ai-inference.gateway.routes" -}}
{{- $routes := list "/" "/api/generate" "/api/chat" "/api/tags" "/api/version" }}
{{- if eq .Values.engine "vllm" }}
{{- /* vLLM: the OpenAI inference routes only (not /metrics, /tokenize, /load_lora_adapter, ...). */}}
{{- $routes = list "/v1/completions" "/v1/chat/completions" "/v1/models" }}
{{- else if .Values.gateway.openAICompatible }}
{{- $routes = concat $routes (list "/v1/completions" "/v1/chat/completions" "/v1/models") }}
{{- end }}
{{- toJson $routes }}
{{- end }}

{{/*
nginx.conf of the gateway. It runs unprivileged on a read-only root: pid and temp files live in /tmp (an emptyDir).
*/}}
{{- define "ai-inference.gateway.nginxConf" -}}
# ai-inference gateway: forwards only inference routes to {{ if eq .Values.engine "vllm" }}vLLM{{ else }}Ollama{{ end }} in the same pod and refuses the rest
# (pull, create, push, delete, copy, blobs, ...). Rendered by the ai-inference Helm chart.
worker_processes {{ .Values.gateway.workerProcesses }};
pid /tmp/nginx.pid;
error_log /dev/stderr warn;

events {
    worker_connections {{ .Values.gateway.workerConnections }};
}

http {
    client_body_temp_path /tmp/client_temp;
    proxy_temp_path /tmp/proxy_temp;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;

    server_tokens off;
    default_type application/json;
    log_format inference escape=json '{"time":"$time_iso8601","client":"$remote_addr","method":"$request_method","uri":"$uri","status":$status,"bytes":$body_bytes_sent,"seconds":$request_time,"upstream_seconds":"$upstream_response_time"}';
    access_log /dev/stdout inference;
{{- if .Values.gateway.apiKeys.existingSecret }}

    # Accepted "Authorization: Bearer <key>" headers, rendered from the Secret by the api-keys init container.
    map $http_authorization $api_key_valid {
        default 0;
        include /etc/ai-inference/api-keys/api-keys.map;
    }
{{- end }}

    upstream engine {
        server 127.0.0.1:{{ include "ai-inference.enginePort" . }};
        keepalive 32;
    }

    server {
        listen 8080;

        client_max_body_size {{ .Values.gateway.maxBodySize }};
        client_body_buffer_size {{ .Values.gateway.maxBodySize }};

        # Streaming answers: pass every NDJSON line on as Ollama writes it, and allow long pauses between them.
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        # API keys stop at the gateway.
        proxy_set_header Authorization "";
        proxy_buffering off;
        proxy_cache off;
        proxy_connect_timeout 5s;
        proxy_send_timeout {{ .Values.gateway.streamTimeoutSeconds }}s;
        proxy_read_timeout {{ .Values.gateway.streamTimeoutSeconds }}s;
        send_timeout {{ .Values.gateway.streamTimeoutSeconds }}s;
{{- $apiKeys := .Values.gateway.apiKeys.existingSecret }}
{{- range (include "ai-inference.gateway.routes" . | fromJsonArray) }}

        location = {{ . }} {
{{- if $apiKeys }}
            if ($api_key_valid = 0) {
                add_header WWW-Authenticate 'Bearer realm="ai-inference"' always;
                return 401 '{"error":"missing or invalid API key: send Authorization: Bearer <key>"}\n';
            }
{{- end }}
            proxy_pass http://engine;
        }
{{- end }}

        # Ollama's model-management API: never reachable through the gateway.
        location ~ ^/api/(pull|push|create|delete|copy|blobs)(/|$) {
            return 403 '{"error":"forbidden: the ai-inference gateway does not forward model management routes"}\n';
        }

        location / {
            return 404 '{"error":"not found: the ai-inference gateway forwards only inference routes"}\n';
        }
    }

    # Pod-only counters for `verify` (port 8081 is not in the Service).
    server {
        listen 8081;
        access_log off;

        location = /stub_status {
            stub_status;
        }
{{- if eq .Values.engine "vllm" }}

        # vLLM's Prometheus metrics (running and waiting requests, KV-cache use) for `verify`, on the pod-only port.
        location = /metrics {
            proxy_pass http://engine;
        }
{{- end }}

        location / {
            return 404 '{"error":"not found"}\n';
        }
    }
}
{{- end }}
