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
Routes whose request bodies pass the gateway's body policy (files/gateway-policy.js) before they reach the engine.
*/}}
{{- define "ai-inference.gateway.policyRoutes" -}}
{{- $routes := list "/v1/completions" "/v1/chat/completions" }}
{{- if ne .Values.engine "vllm" }}
{{- $routes = concat (list "/api/generate" "/api/chat") $routes }}
{{- end }}
{{- toJson $routes }}
{{- end }}

{{/*
The policy's settings for one route, as the JSON the njs handler reads from $ai_policy: which API the body speaks,
the model names the endpoint serves, the context length and the output-token cap.
*/}}
{{- define "ai-inference.gateway.policyConfig" -}}
{{- $route := .route }}
{{- $v := .root.Values }}
{{- $models := list (include "ai-inference.servedModel" .root) }}
{{- if eq $v.engine "vllm" }}
{{- $models = concat $models $v.gateway.policy.extraModels }}
{{- else }}
{{- $models = append $models (include "ai-inference.modelRef" .root) }}
{{- end }}
{{- $context := ternary $v.vllm.maxModelLen $v.ollama.contextLength (eq $v.engine "vllm") }}
{{- dict "api" (ternary "ollama" "openai" (hasPrefix "/api/" $route)) "models" (uniq $models) "contextLength" (int $context) "maxOutputTokens" (int $v.gateway.policy.maxOutputTokens) | toJson }}
{{- end }}

{{/*
nginx.conf of the gateway. It runs unprivileged on a read-only root: pid and temp files live in /tmp (an emptyDir).
*/}}
{{- define "ai-inference.gateway.nginxConf" -}}
# ai-inference gateway: forwards only inference routes to {{ if eq .Values.engine "vllm" }}vLLM{{ else }}Ollama{{ end }} in the same pod and refuses the rest
# (pull, create, push, delete, copy, blobs, ...). Rendered by the ai-inference Helm chart.
worker_processes {{ .Values.gateway.workerProcesses }};
{{- if .Values.gateway.policy.enabled }}
# njs runs the body policy (the module ships in the official nginx images and in Debian's libnginx-mod-http-js).
load_module {{ .Values.gateway.policy.njsModule }};
{{- end }}
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

{{- if .Values.gateway.policy.enabled }}

    js_import policy from /etc/ai-inference/gateway/gateway-policy.js;
    # The body the policy re-serialized after capping its output tokens.
    js_var $ai_policy_body;
{{- end }}

{{- $l := .Values.gateway.limits }}

    # One client cannot take the gateway: per-address limits on concurrent requests and on the request rate (429),
    # and bounded waits for a request's header, its body and an idle keep-alive connection. Addresses in
    # gateway.limits.exemptSources (load-test runners, the in-cluster workers' pod range) are not limited: an empty
    # key is not counted.
    geo $ai_limit_exempt {
        default 0;
{{- range $l.exemptSources }}
        {{ . }} 1;
{{- end }}
    }
    map $ai_limit_exempt $ai_limit_key {
        0 $binary_remote_addr;
        1 "";
    }
    limit_conn_zone $ai_limit_key zone=ai_per_client_conn:10m;
    limit_req_zone $ai_limit_key zone=ai_per_client_req:10m rate={{ $l.requestsPerSecondPerClient }}r/s;
    limit_conn_status 429;
    limit_req_status 429;
    client_header_timeout {{ $l.clientHeaderTimeoutSeconds }}s;
    client_body_timeout {{ $l.clientBodyTimeoutSeconds }}s;
    keepalive_timeout {{ $l.keepaliveTimeoutSeconds }}s;
    large_client_header_buffers 4 16k;
    reset_timedout_connection on;

    upstream engine {
        server 127.0.0.1:{{ include "ai-inference.enginePort" . }};
        keepalive 32;
    }

    server {
        listen 8080;
{{- if .Values.gateway.tls.existingSecret }}
        # HTTPS, terminated here: the certificate and key from the Secret gateway.tls.existingSecret.
        listen 8443 ssl;
        ssl_certificate /etc/ai-inference/tls/tls.crt;
        ssl_certificate_key /etc/ai-inference/tls/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:ai_inference_tls:10m;
        ssl_session_timeout 1h;
{{- end }}

        limit_conn ai_per_client_conn {{ $l.connectionsPerClient }};
        limit_req zone=ai_per_client_req burst={{ $l.burst }} nodelay;
        error_page 429 = @too_many_requests;

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
{{- $policy := ternary (include "ai-inference.gateway.policyRoutes" . | fromJsonArray) list .Values.gateway.policy.enabled }}
{{- range (include "ai-inference.gateway.routes" . | fromJsonArray) }}

        location = {{ . }} {
{{- if $apiKeys }}
            if ($api_key_valid = 0) {
                add_header WWW-Authenticate 'Bearer realm="ai-inference"' always;
                return 401 '{"error":"missing or invalid API key: send Authorization: Bearer <key>"}\n';
            }
{{- end }}
{{- if has . $policy }}
            # Checked (and output tokens capped) by the body policy, then proxied from @engine or @engine_rewritten.
            set $ai_policy '{{ include "ai-inference.gateway.policyConfig" (dict "route" . "root" $) }}';
            js_content policy.check;
{{- else }}
            proxy_pass http://engine;
{{- end }}
        }
{{- end }}
{{- if .Values.gateway.policy.enabled }}

        # Where the body policy hands a request it admitted: the body as the client sent it...
        location @engine {
            proxy_pass http://engine;
        }

        # ...or as the policy rewrote it (nginx sets Content-Length from the new body).
        location @engine_rewritten {
            proxy_set_body $ai_policy_body;
            proxy_pass http://engine;
        }
{{- end }}

        location @too_many_requests {
            default_type application/json;
            return 429 '{"error":"too many requests from this client address: see gateway.limits"}\n';
        }

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
