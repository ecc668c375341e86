// Body policy of the ai-inference gateway (njs). Runs as the js_content handler of the inference routes: nginx has
// read the whole request body (client_body_buffer_size = client_max_body_size keeps it in memory), this checks it,
// then hands the request to proxy_pass through an internal redirect, so the answer streams as before (an njs
// subrequest would buffer the whole answer).
//   - refused with 400: what changes what the server loads or where it runs (keep_alive, runner options such as
//     num_gpu, a num_ctx other than the configured context, a model other than the served one);
//   - capped: what bounds the work (options.num_predict, max_tokens, max_completion_tokens), added when absent.
// A body the policy leaves alone goes upstream byte for byte (@engine); a capped one is re-serialized
// (@engine_rewritten, proxy_set_body $ai_policy_body).
// Written for njs 0.7 (Debian) and 0.8/0.9 (the official nginx images): var, no optional chaining.

// Ollama options that make the server reload the model with other runner settings, or run it elsewhere.
var RUNNER_OPTIONS = ['num_gpu', 'main_gpu', 'num_batch', 'num_thread', 'use_mmap', 'use_mlock', 'numa', 'low_vram',
    'f16_kv', 'vocab_only', 'logits_all'];

function refuse(r, why) {
    r.headersOut['Content-Type'] = 'application/json';
    r.return(400, JSON.stringify({error: 'refused by the ai-inference gateway: ' + why}) + '\n');
}

function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function has(o, k) {
    return Object.prototype.hasOwnProperty.call(o, k);
}

// A whole number of tokens, or null when the field is not one.
function tokens(v) {
    return typeof v === 'number' && isFinite(v) && Math.floor(v) === v ? v : null;
}

// Caps o[field] at cap; returns true when it changed o. An absent field, or one that means "no limit" (Ollama's
// -1 and -2), gets the cap.
function cap(o, field, limit, required) {
    if (!has(o, field) || o[field] === null) {
        if (!required) {
            return false;
        }
        o[field] = limit;
        return true;
    }
    var n = tokens(o[field]);
    if (n === null) {
        return undefined;
    }
    if (n < 0 || n > limit) {
        o[field] = limit;
        return true;
    }
    return false;
}

function checkOllama(body, cfg) {
    if (has(body, 'keep_alive')) {
        return {error: 'keep_alive is set by the server (it loads and unloads the model), not per request'};
    }
    if (has(body, 'options') && body.options !== null && !isObject(body.options)) {
        return {error: 'options must be a JSON object'};
    }
    var options = body.options || {};
    for (var i = 0; i < RUNNER_OPTIONS.length; i++) {
        if (has(options, RUNNER_OPTIONS[i])) {
            return {error: 'options.' + RUNNER_OPTIONS[i] + ' is set by the server (it reloads the model or moves it off the GPU)'};
        }
    }
    if (has(options, 'num_ctx') && options.num_ctx !== cfg.contextLength) {
        return {error: 'options.num_ctx must be the server\'s context length ' + cfg.contextLength
            + ' or absent (another value reloads the model)'};
    }
    var changed = false;
    var capped = cap(options, 'num_predict', cfg.maxOutputTokens, true);
    if (capped === undefined) {
        return {error: 'options.num_predict must be a whole number of tokens'};
    }
    if (capped) {
        body.options = options;
        changed = true;
    }
    return {changed: changed};
}

function checkOpenAI(body, cfg) {
    if (has(body, 'keep_alive')) {
        return {error: 'keep_alive is set by the server (it loads and unloads the model), not per request'};
    }
    var changed = false;
    var sawLimit = false;
    var fields = ['max_tokens', 'max_completion_tokens'];
    for (var i = 0; i < fields.length; i++) {
        if (has(body, fields[i]) && body[fields[i]] !== null) {
            sawLimit = true;
            var capped = cap(body, fields[i], cfg.maxOutputTokens, false);
            if (capped === undefined) {
                return {error: fields[i] + ' must be a whole number of tokens'};
            }
            changed = changed || capped;
        }
    }
    if (!sawLimit) {
        body.max_tokens = cfg.maxOutputTokens;
        changed = true;
    }
    return {changed: changed};
}

function check(r) {
    var cfg = JSON.parse(r.variables.ai_policy);
    if (r.method !== 'POST') {
        r.internalRedirect('@engine');
        return;
    }
    var text = r.requestText;
    var body;
    try {
        body = JSON.parse(text === undefined ? '' : text);
    } catch (e) {
        refuse(r, 'the body must be one JSON object');
        return;
    }
    if (!isObject(body)) {
        refuse(r, 'the body must be one JSON object');
        return;
    }
    if (typeof body.model !== 'string' || cfg.models.indexOf(body.model) < 0) {
        refuse(r, 'model must be ' + JSON.stringify(cfg.models[0]) + ' (the model this endpoint serves)');
        return;
    }
    var verdict = cfg.api === 'ollama' ? checkOllama(body, cfg) : checkOpenAI(body, cfg);
    if (verdict.error) {
        refuse(r, verdict.error);
        return;
    }
    if (verdict.changed) {
        r.variables.ai_policy_body = JSON.stringify(body);
        r.internalRedirect('@engine_rewritten');
    } else {
        r.internalRedirect('@engine');
    }
}

export default {check};
