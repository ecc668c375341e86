{{/*
Chart name, truncated to 63 characters (the DNS label limit).
*/}}
{{- define "ai-inference.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name (helm create's rule): the release name when it already contains the chart name, so
release "ai-inference" yields "ai-inference".
*/}}
{{- define "ai-inference.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ai-inference.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ai-inference.labels" -}}
{{ include "ai-inference.commonLabels" . }}
app.kubernetes.io/component: inference
{{- end }}

{{- define "ai-inference.commonLabels" -}}
helm.sh/chart: {{ include "ai-inference.chart" . }}
app.kubernetes.io/name: {{ include "ai-inference.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ include "ai-inference.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels; `verify` selects pods with name + instance.
*/}}
{{- define "ai-inference.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ai-inference.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: inference
{{- end }}

{{- define "ai-inference.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ai-inference.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ai-inference.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/* An image reference: repository:tag, and @digest beside the tag when one is pinned (the digest decides). */}}
{{- define "ai-inference.imageRef" -}}
{{- printf "%s:%s" .repository .tag }}{{ with .digest }}@{{ . }}{{ end }}
{{- end }}

{{- define "ai-inference.image" -}}
{{- include "ai-inference.imageRef" (dict "repository" .Values.image.repository "tag" (include "ai-inference.imageTag" .) "digest" .Values.image.digest) }}
{{- end }}

{{- define "ai-inference.vllmImage" -}}
{{- include "ai-inference.imageRef" .Values.vllm.image }}
{{- end }}

{{/*
The inference container: its name, image and port for the engine (the gateway forwards to this port).
*/}}
{{- define "ai-inference.engineContainer" -}}
{{- if eq .Values.engine "vllm" }}vllm{{ else }}ollama{{ end }}
{{- end }}

{{- define "ai-inference.engineImage" -}}
{{- if eq .Values.engine "vllm" }}{{ include "ai-inference.vllmImage" . }}{{ else }}{{ include "ai-inference.image" . }}{{ end }}
{{- end }}

{{- define "ai-inference.enginePort" -}}
{{- if eq .Values.engine "vllm" }}8000{{ else }}11434{{ end }}
{{- end }}

{{/*
The model name clients send: vLLM's served name, or Ollama's model name.
*/}}
{{- define "ai-inference.servedModel" -}}
{{- if eq .Values.engine "vllm" }}{{ default .Values.vllm.model .Values.vllm.servedModelName }}{{ else }}{{ .Values.model.name }}{{ end }}
{{- end }}

{{/*
`vllm serve` arguments: the model, then the knobs (one flag per value, so the rendered pod shows each setting).
*/}}
{{- define "ai-inference.vllmArgs" -}}
{{- $v := .Values.vllm }}
- {{ $v.model | quote }}
- "--host=0.0.0.0"
- "--port={{ include "ai-inference.enginePort" . }}"
- {{ printf "--served-model-name=%s" (include "ai-inference.servedModel" .) | quote }}
- {{ printf "--max-num-seqs=%d" (int $v.maxNumSeqs) | quote }}
- {{ printf "--max-model-len=%d" (int $v.maxModelLen) | quote }}
- {{ printf "--gpu-memory-utilization=%v" $v.gpuMemoryUtilization | quote }}
- {{ printf "--dtype=%s" $v.dtype | quote }}
{{- with $v.quantization }}
- {{ printf "--quantization=%s" . | quote }}
{{- end }}
{{- if $v.promptTokensDetails }}
- "--enable-prompt-tokens-details"
{{- end }}
{{- with $v.extraArgs }}
{{- toYaml . | nindent 0 }}
{{- end }}
{{- end }}

{{- define "ai-inference.gatewayImage" -}}
{{- include "ai-inference.imageRef" .Values.gateway.image }}
{{- end }}

{{/*
The name `ollama ps` prints for the model: Ollama adds ":latest" to a name without a tag.
*/}}
{{- define "ai-inference.modelRef" -}}
{{- $name := .Values.model.name }}
{{- $last := last (splitList "/" $name) }}
{{- if contains ":" $last }}{{ $name }}{{ else }}{{ printf "%s:latest" $name }}{{ end }}
{{- end }}

{{- define "ai-inference.cpuLimit" -}}
{{- default .Values.resources.requests.cpu .Values.resources.limits.cpu }}
{{- end }}

{{/*
Replicas the ProvisioningRequest asks nodes for: the pinned HPA count or replicaCount.
*/}}
{{- define "ai-inference.replicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end }}
{{- end }}

{{- define "ai-inference.publicLoadBalancer" -}}
{{- if and (eq .Values.service.type "LoadBalancer") (not .Values.service.internal) }}true{{ end }}
{{- end }}

{{/* ---------------------------------------------------------------------------------------------------------
Rules across values. The schema checks each value alone; these check combinations and name the keys to change.
Every rule is included once from deployment.yaml, so `helm template` and `helm install` fail before anything exists.
--------------------------------------------------------------------------------------------------------- */}}
{{- define "ai-inference.validate" -}}
{{- include "ai-inference.validate.image" . }}
{{- include "ai-inference.validate.autoscaling" . }}
{{- include "ai-inference.validate.dws" . }}
{{- include "ai-inference.validate.exposure" . }}
{{- include "ai-inference.validate.gateway" . }}
{{- include "ai-inference.validate.modelCache" . }}
{{- include "ai-inference.validate.resources" . }}
{{- include "ai-inference.validate.vllm" . }}
{{- end }}

{{- define "ai-inference.validate.vllm" -}}
{{- if eq .Values.engine "vllm" }}
{{- if and (hasPrefix "/" .Values.vllm.model) (ne .Values.modelCache.type "existingClaim") }}
{{- fail (printf "vllm.model %s is a path in the model cache, which only modelCache.type existingClaim provides (an emptyDir starts empty); use a Hugging Face id or set modelCache.existingClaim" .Values.vllm.model) }}
{{- end }}
{{- if and .Values.gpu.count (gt (int .Values.gpu.count) 1) }}
{{- fail (printf "engine vllm with gpu.count %d: the chart runs one GPU per vLLM server (no --tensor-parallel-size); use gpu.count 1" (int .Values.gpu.count)) }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ai-inference.validate.image" -}}
{{- /* Only an exact release tag can be compared with the CVE floor: "latest", "0.17" or "0.17.1-rc1" name an
image whose version the chart cannot know (the schema refuses them too; this also covers appVersion). */}}
{{- $tag := include "ai-inference.imageTag" . }}
{{- if not (regexMatch "^[0-9]+\\.[0-9]+\\.[0-9]+$" $tag) }}
{{- fail (printf "image.tag %s is not an exact Ollama release tag (x.y.z, e.g. 0.17.7); pin a release, 0.17.1 or later" $tag) }}
{{- end }}
{{- if semverCompare "<0.17.1" $tag }}
{{- fail (printf "image.tag %s is older than Ollama 0.17.1, which fixes CVE-2026-7482 (unauthenticated heap read through /api/create); use 0.17.1 or later" $tag) }}
{{- end }}
{{- end }}

{{- define "ai-inference.validate.autoscaling" -}}
{{- $a := .Values.autoscaling }}
{{- if $a.enabled }}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) }}
{{- fail (printf "autoscaling.minReplicas %d exceeds autoscaling.maxReplicas %d" (int $a.minReplicas) (int $a.maxReplicas)) }}
{{- end }}
{{- if and (eq (int $a.minReplicas) (int $a.maxReplicas)) (ne (int .Values.replicaCount) (int $a.minReplicas)) }}
{{- fail (printf "replicaCount %d disagrees with the pinned HPA (autoscaling.minReplicas = autoscaling.maxReplicas = %d); set them equal" (int .Values.replicaCount) (int $a.minReplicas)) }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ai-inference.validate.dws" -}}
{{- if and .Values.dws.enabled .Values.gpu.provisioning (ne .Values.gpu.provisioning "queued") }}
{{- fail (printf "dws.enabled needs gpu.provisioning queued (it is %s): a ProvisioningRequest only brings nodes to a queued pool" .Values.gpu.provisioning) }}
{{- end }}
{{- if and (eq .Values.gpu.provisioning "queued") (not .Values.dws.enabled) }}
{{- fail "gpu.provisioning queued needs dws.enabled: a queued pool gets nodes only through the chart's ProvisioningRequest" }}
{{- end }}
{{- if .Values.dws.enabled }}
{{- if not .Values.gpu.nodePool }}
{{- fail "dws.enabled needs gpu.nodePool: the ProvisioningRequest's PodTemplate must select the queued-provisioning node pool by name" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (ne (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail (printf "dws.enabled=true provisions a fixed set of nodes, so the replica count must be fixed, but the HPA ranges %d..%d (autoscaling.minReplicas..autoscaling.maxReplicas); set them equal or set autoscaling.enabled=false" (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ai-inference.validate.exposure" -}}
{{- $s := .Values.service }}
{{- if and $s.internal (ne $s.type "LoadBalancer") }}
{{- fail (printf "service.internal=true needs service.type LoadBalancer (it is %s)" $s.type) }}
{{- end }}
{{- if and $s.internal $s.allowPublicAccess }}
{{- fail "service.internal=true and service.allowPublicAccess=true contradict each other; choose one" }}
{{- end }}
{{- if and $s.addressName (ne $s.type "LoadBalancer") }}
{{- fail (printf "service.addressName only applies to service.type LoadBalancer (it is %s)" $s.type) }}
{{- end }}
{{- if and $s.loadBalancerSourceRanges (ne $s.type "LoadBalancer") }}
{{- fail (printf "service.loadBalancerSourceRanges only applies to service.type LoadBalancer (it is %s)" $s.type) }}
{{- end }}
{{- if include "ai-inference.publicLoadBalancer" . }}
{{- /* Any /0 matches every address of its family, whatever the address bits say (10.0.0.0/0 = 0.0.0.0/0, ::/0).
The schema allows no other spelling of a zero prefix ("/00"). Unions of ranges that together cover everything
are not detected. */}}
{{- if not $s.allowPublicAccess }}
{{- range $s.loadBalancerSourceRanges }}
{{- if hasSuffix "/0" . }}
{{- fail (printf "service.loadBalancerSourceRanges contains %s, which opens the LoadBalancer to the internet (a /0 prefix matches every address); set service.allowPublicAccess=true if that is what you mean" .) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and (not $s.allowPublicAccess) (empty $s.loadBalancerSourceRanges) }}
{{- fail "a public LoadBalancer without service.loadBalancerSourceRanges is open to 0.0.0.0/0; set service.loadBalancerSourceRanges to your client CIDRs, set service.internal=true, or set service.allowPublicAccess=true to open it on purpose" }}
{{- end }}
{{- $keys := and .Values.gateway.enabled .Values.gateway.apiKeys.existingSecret }}
{{- if and $keys (include "ai-inference.servesPlainHttp" .) (not .Values.gateway.apiKeys.allowPlainHttp) }}
{{- fail "gateway.apiKeys.existingSecret on a public LoadBalancer with plain HTTP sends every key (and prompt) in clear text; set gateway.tls.existingSecret and service.plainHttp=false, use service.internal=true, or set gateway.apiKeys.allowPlainHttp=true to do it on purpose" }}
{{- end }}
{{- if and $s.allowPublicAccess (not $keys) (not $s.allowPublicAccessWithoutKeys) }}
{{- fail "service.allowPublicAccess=true without gateway.apiKeys.existingSecret lets anyone on the internet use the GPUs; set gateway.apiKeys.existingSecret, or set service.allowPublicAccessWithoutKeys=true to do it on purpose" }}
{{- end }}
{{- end }}
{{- if and (not $s.plainHttp) (not .Values.gateway.tls.existingSecret) }}
{{- fail "service.plainHttp=false needs gateway.tls.existingSecret: without TLS the Service would have no port" }}
{{- end }}
{{- if and .Values.gateway.tls.existingSecret (not .Values.gateway.enabled) }}
{{- fail "gateway.tls.existingSecret needs gateway.enabled=true: the gateway terminates TLS" }}
{{- end }}
{{- end }}

{{/* The Service's plain HTTP port is open: always without TLS, and with TLS while service.plainHttp is true. */}}
{{- define "ai-inference.servesPlainHttp" -}}
{{- if or (not .Values.gateway.tls.existingSecret) .Values.service.plainHttp }}true{{ end }}
{{- end }}

{{- define "ai-inference.validate.gateway" -}}
{{- if not .Values.gateway.enabled }}
{{- if include "ai-inference.publicLoadBalancer" . }}
{{- fail "gateway.enabled=false on a public LoadBalancer would expose the whole Ollama API (pull, create, push, delete); keep the gateway, or use service.internal=true or service.type=ClusterIP" }}
{{- end }}
{{- if .Values.gateway.apiKeys.existingSecret }}
{{- fail "gateway.apiKeys.existingSecret needs gateway.enabled=true: the gateway checks the keys" }}
{{- end }}
{{- end }}
{{- $context := ternary .Values.vllm.maxModelLen .Values.ollama.contextLength (eq .Values.engine "vllm") }}
{{- if gt (int .Values.gateway.policy.maxOutputTokens) (int $context) }}
{{- fail (printf "gateway.policy.maxOutputTokens %d exceeds the context length %d (%s): an answer cannot be longer than the context" (int .Values.gateway.policy.maxOutputTokens) (int $context) (ternary "vllm.maxModelLen" "ollama.contextLength" (eq .Values.engine "vllm"))) }}
{{- end }}
{{- $parallel := ternary .Values.vllm.maxNumSeqs .Values.ollama.numParallel (eq .Values.engine "vllm") }}
{{- $replicas := ternary (max .Values.replicaCount .Values.autoscaling.maxReplicas) .Values.replicaCount .Values.autoscaling.enabled }}
{{- $needed := add (mul 2 (mul $replicas $parallel)) 1024 }}
{{- $have := mul .Values.gateway.workerProcesses .Values.gateway.workerConnections }}
{{- if and .Values.gateway.enabled (lt (int $have) (int $needed)) }}
{{- fail (printf "gateway.workerProcesses x gateway.workerConnections = %d is below %d, 2 x (%d replicas x %d parallel slots) + 1024: one pod could not hold every replica's streams (each proxied request takes two connections)" (int $have) (int $needed) (int $replicas) (int $parallel)) }}
{{- end }}
{{- if and .Values.gateway.policy.extraModels (ne .Values.engine "vllm") }}
{{- fail "gateway.policy.extraModels is for engine vllm (LoRA adapters); Ollama serves one model" }}
{{- end }}
{{- end }}

{{/*
Quantities as numbers (bytes, cores) so requests and limits can be compared before anything is created; the
schema has already checked their shape.
*/}}
{{- define "ai-inference.quantity" -}}
{{- $q := toString . }}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $q }}
{{- $suffix := trimPrefix $number $q }}
{{- $factors := dict "" 1.0 "m" 0.001 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "P" 1e15 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 }}
{{- mulf (float64 $number) (get $factors $suffix) }}
{{- end }}

{{- define "ai-inference.validate.resources" -}}
{{- $checks := list
  (list "resources.requests.memory" .Values.resources.requests.memory "resources.limits.memory" .Values.resources.limits.memory)
  (list "resources.requests.cpu" .Values.resources.requests.cpu "resources.limits.cpu" (include "ai-inference.cpuLimit" .)) }}
{{- if .Values.gateway.enabled }}
{{- $checks = append $checks (list "gateway.resources.requests.memory" .Values.gateway.resources.requests.memory "gateway.resources.limits.memory" .Values.gateway.resources.limits.memory) }}
{{- $checks = append $checks (list "gateway.resources.requests.cpu" .Values.gateway.resources.requests.cpu "gateway.resources.limits.cpu" .Values.gateway.resources.limits.cpu) }}
{{- end }}
{{- range $checks }}
{{- if gt (include "ai-inference.quantity" (index . 1) | float64) (include "ai-inference.quantity" (index . 3) | float64) }}
{{- fail (printf "%s %v exceeds %s %v; a request above its limit is refused by Kubernetes" (index . 0) (index . 1) (index . 2) (index . 3)) }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ai-inference.validate.modelCache" -}}
{{- if and (eq .Values.modelCache.type "existingClaim") (not .Values.modelCache.existingClaim) }}
{{- fail "modelCache.type existingClaim needs modelCache.existingClaim (the PersistentVolumeClaim name)" }}
{{- end }}
{{- end }}

{{/* ---------------------------------------------------------------------------------------------------------
Scheduling, shared by the Deployment's pods and the DWS PodTemplate (GKE requires them to match).
--------------------------------------------------------------------------------------------------------- */}}
{{- define "ai-inference.nodeSelector" -}}
{{- $sel := dict "cloud.google.com/gke-accelerator" .Values.gpu.acceleratorType }}
{{- if .Values.gpu.nodePool }}
{{- $_ := set $sel "cloud.google.com/gke-nodepool" .Values.gpu.nodePool }}
{{- end }}
{{- if or (and .Values.dws.enabled .Values.dws.flexStart) (eq .Values.gpu.provisioning "flex-start") }}
{{- $_ := set $sel "cloud.google.com/gke-flex-start" "true" }}
{{- end }}
{{- if eq .Values.gpu.provisioning "spot" }}
{{- $_ := set $sel "cloud.google.com/gke-spot" "true" }}
{{- end }}
{{- toYaml (merge $sel .Values.nodeSelector) }}
{{- end }}

{{- define "ai-inference.tolerations" -}}
# GKE taints GPU nodes when the cluster also has CPU pools (declared explicitly: it has been seen missing).
- key: nvidia.com/gpu
  operator: Exists
  effect: NoSchedule
{{- if .Values.dws.enabled }}
# GKE taints queued-provisioning pools; only pods that consume a ProvisioningRequest belong there.
- key: cloud.google.com/gke-queued
  operator: Exists
  effect: NoSchedule
{{- end }}
{{- if eq .Values.gpu.provisioning "spot" }}
# Spot nodes may carry GKE's spot taint (pools created with it); these pods are meant for them.
- key: cloud.google.com/gke-spot
  operator: Equal
  value: "true"
  effect: NoSchedule
{{- end }}
{{- with .Values.tolerations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "ai-inference.affinity" -}}
{{- if .Values.onePodPerNode }}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "ai-inference.selectorLabels" . | nindent 10 }}
{{- end }}
{{- end }}

{{- define "ai-inference.ollamaResources" -}}
requests:
  cpu: {{ .Values.resources.requests.cpu | quote }}
  memory: {{ .Values.resources.requests.memory | quote }}
  nvidia.com/gpu: {{ .Values.gpu.count }}
limits:
  cpu: {{ include "ai-inference.cpuLimit" . | quote }}
  memory: {{ .Values.resources.limits.memory | quote }}
  nvidia.com/gpu: {{ .Values.gpu.count }}
{{- end }}

{{- define "ai-inference.gatewayResources" -}}
{{- toYaml .Values.gateway.resources }}
{{- end }}

{{/*
Pod spec fields the scheduler and the cluster autoscaler look at; the ProvisioningRequest is sized from these.
*/}}
{{- define "ai-inference.schedulingSpec" -}}
nodeSelector:
  {{- include "ai-inference.nodeSelector" . | nindent 2 }}
tolerations:
  {{- include "ai-inference.tolerations" . | nindent 2 }}
{{- with (include "ai-inference.affinity" . | trim) }}
affinity:
  {{- . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end }}

{{/* ---------------------------------------------------------------------------------------------------------
DWS: the ProvisioningRequest spec is immutable, so its name carries a hash of everything in it (count, parameters
and the PodTemplate). A change makes a new PodTemplate + ProvisioningRequest pair; Helm deletes the old pair and
the pods (Recreate) consume the new one.
--------------------------------------------------------------------------------------------------------- */}}
{{- define "ai-inference.dws.podTemplateSpec" -}}
metadata:
  labels:
    {{- include "ai-inference.selectorLabels" . | nindent 4 }}
    {{- if .Values.dws.flexStart }}
    cloud.google.com/gke-flex-start: "true"
    {{- end }}
spec:
  {{- include "ai-inference.schedulingSpec" . | nindent 2 }}
  containers:
    - name: {{ include "ai-inference.engineContainer" . }}
      image: {{ include "ai-inference.engineImage" . }}
      resources:
        {{- include "ai-inference.ollamaResources" . | nindent 8 }}
    {{- if .Values.gateway.enabled }}
    - name: gateway
      image: {{ include "ai-inference.gatewayImage" . }}
      resources:
        {{- include "ai-inference.gatewayResources" . | nindent 8 }}
    {{- end }}
{{- end }}

{{- define "ai-inference.dws.hash" -}}
{{- /* Only what sizes and places the nodes: an image upgrade keeps the provisioned nodes. */}}
{{- $spec := dict "count" (include "ai-inference.replicas" .) "maxRunDurationSeconds" (toString .Values.dws.maxRunDurationSeconds) "scheduling" (include "ai-inference.schedulingSpec" .) "ollama" (include "ai-inference.ollamaResources" .) }}
{{- /* A generation above 1 renews the request; generation 1 keeps the names charts before it rendered. */}}
{{- if gt (int .Values.dws.generation) 1 }}
{{- $_ := set $spec "generation" (toString .Values.dws.generation) }}
{{- end }}
{{- if .Values.gateway.enabled }}
{{- $_ := set $spec "gateway" (include "ai-inference.gatewayResources" .) }}
{{- end }}
{{- toJson $spec | sha256sum | trunc 10 }}
{{- end }}

{{- define "ai-inference.dws.provisioningRequestName" -}}
{{- printf "%s-%s" (include "ai-inference.fullname" . | trunc 52 | trimSuffix "-") (include "ai-inference.dws.hash" .) }}
{{- end }}

{{- define "ai-inference.dws.podTemplateName" -}}
{{- printf "%s-dws-%s" (include "ai-inference.fullname" . | trunc 48 | trimSuffix "-") (include "ai-inference.dws.hash" .) }}
{{- end }}

{{/*
The nginx-unprivileged image runs as uid 101 and needs nothing written outside /tmp (an emptyDir here).
*/}}
{{- define "ai-inference.gatewaySecurityContext" -}}
runAsNonRoot: true
runAsUser: 101
runAsGroup: 101
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end }}
