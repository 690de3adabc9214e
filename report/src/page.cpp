#include "page.hpp"

#include <cmath>

#include "report/text.hpp"

#ifndef FAULTLINE_VERSION
#define FAULTLINE_VERSION "0"
#endif

namespace faultline::report::page {

namespace {

constexpr const char* css = R"(
:root{--fg:#1d2125;--muted:#5c6670;--line:#d8dde3;--bg:#f6f7f9;--pass:#1a7f37;--fail:#b00020;--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 Helvetica,Arial,sans-serif}
main{max-width:1360px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:14px;margin:18px 0 8px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
p{margin:6px 0}
.sub{color:var(--muted)}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;font-weight:bold;color:#fff;font-size:13px;vertical-align:middle}
.verdict.pass{background:var(--pass)}.verdict.fail{background:var(--fail)}.verdict.runaway,.verdict.notjudged,.verdict.interrupted{background:var(--warn)}
.box{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px 16px;margin:10px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:10px;margin:10px 0}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.card .k{color:var(--muted);font-size:12px}.card .v{font-size:20px;font-weight:bold;margin-top:2px}
.card .n{color:var(--muted);font-size:12px}
table{border-collapse:collapse;background:#fff;border:1px solid var(--line);margin:8px 0;width:100%}
th,td{text-align:left;padding:5px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef1f4;font-size:12px;color:#333}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.diff{width:auto;min-width:50%}
tr.better td.change{color:var(--pass)}tr.worse td.change{color:var(--fail)}
code,pre{font-family:Menlo,Consolas,monospace;font-size:12.5px}
pre{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 12px;overflow-x:auto;white-space:pre-wrap}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(600px,1fr));gap:12px}
.chartbox{background:#fff;border:1px solid var(--line);border-radius:6px;padding:6px;position:relative}
.chartbox svg{width:100%;height:auto;display:block}
.tip{position:fixed;pointer-events:none;background:rgba(255,255,255,.96);border:1px solid #999;border-radius:4px;padding:5px 8px;font-size:12px;display:none;z-index:10;box-shadow:0 2px 6px rgba(0,0,0,.15)}
.tip .sw{display:inline-block;width:10px;height:3px;margin-right:5px;vertical-align:middle}
details{margin:8px 0}summary{cursor:pointer;color:var(--muted)}
.two{display:grid;grid-template-columns:1fr 1fr;gap:12px}
footer{color:var(--muted);font-size:12px;margin-top:30px}
)";

// Records script errors and anything the page policy blocked (a fetch) where a headless test (and
// a curious reader) can see them, before any other script runs.
constexpr const char* head_script = R"(
window.faultlineErrors=[];
window.addEventListener('error',function(e){window.faultlineErrors.push(String(e.message));
document.documentElement.setAttribute('data-js-errors',String(window.faultlineErrors.length));});
document.addEventListener('securitypolicyviolation',function(e){
window.faultlineErrors.push('blocked by the page policy: '+e.blockedURI);
document.documentElement.setAttribute('data-js-errors',String(window.faultlineErrors.length));});
)";

// The read-out: a vertical cursor and every line's value at its sample nearest the cursor. The
// time shown is that of the sample nearest the cursor over all lines; a line whose sample is at
// another time (an A/B of runs sampled differently) says its own, and a line whose run ended
// before the cursor (past its last sample by more than half an interval) says so instead.
constexpr const char* body_script = R"(
(function(){
var data=JSON.parse(document.getElementById('chart-data').textContent);
var tip=document.createElement('div');tip.className='tip';document.body.appendChild(tip);
function si(v,d){var a=Math.abs(v);
if(a>=1e9)return +(v/1e9).toPrecision(d)+'G';if(a>=1e6)return +(v/1e6).toPrecision(d)+'M';
if(a>=1e4)return +(v/1e3).toPrecision(d)+'k';return String(+v.toPrecision(d));}
function fmt(v,u){if(v===null||v===undefined)return '-';
if(u==='per_second')return si(v,4)+'/s';if(u==='ratio')return +(v*100).toPrecision(4)+'%';
if(u==='times')return +v.toPrecision(3)+'x';if(u==='megabytes')return si(v,4)+' MB';
if(u==='seconds'){var a=Math.abs(v);if(a===0)return '0';if(a<1e-3)return +(v*1e6).toPrecision(3)+'us';
if(a<1)return +(v*1e3).toPrecision(3)+'ms';return +v.toPrecision(4)+'s';}return si(v,4);}
function esc(s){return String(s).replace(/[&<>"']/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
function secs(v){return (+v.toPrecision(6))+'s';}
function nearest(xs,t){var lo=0,hi=xs.length-1;if(hi<0)return -1;
while(hi-lo>1){var m=(lo+hi)>>1;if(xs[m]<t)lo=m;else hi=m;}
return Math.abs(xs[lo]-t)<=Math.abs(xs[hi]-t)?lo:hi;}
var drawn=0;
data.forEach(function(c){
var svg=document.getElementById(c.id);if(!svg)return;
if(svg.querySelector('path'))drawn++;
var cursor=svg.querySelector('line.cursor');
svg.addEventListener('mousemove',function(e){
var r=svg.getBoundingClientRect();var x=(e.clientX-r.left)*c.width/r.width;
if(x<c.left||x>c.right){tip.style.display='none';cursor.setAttribute('visibility','hidden');return;}
var t=c.t0+(x-c.left)/(c.right-c.left)*(c.t1-c.t0);
var hits=[];var at=null;
c.lines.forEach(function(l){var n=l.x.length;if(n===0)return;var i=nearest(l.x,t);
var step=n>1?l.x[1]-l.x[0]:l.x[0];if(t>l.x[n-1]+step/2)i=-1;
hits.push({l:l,i:i});if(i>=0&&(at===null||Math.abs(l.x[i]-t)<Math.abs(at-t)))at=l.x[i];});
if(hits.length===0)return;if(at===null)at=t;
var rows=hits.map(function(h){var l=h.l;
var v=h.i<0?'<i>ended at '+secs(l.x[l.x.length-1])+'</i>':'<b>'+fmt(l.y[h.i],c.unit)+'</b>'+(l.x[h.i]===at?'':' (at '+secs(l.x[h.i])+')');
return '<div><span class="sw" style="background:'+esc(l.colour)+'"></span>'+esc(l.label)+': '+v+'</div>';});
cursor.setAttribute('x1',x);cursor.setAttribute('x2',x);cursor.setAttribute('visibility','visible');
tip.innerHTML='<div><b>t = '+secs(at)+'</b></div>'+rows.join('');
tip.style.display='block';
var left=e.clientX+14;if(left+tip.offsetWidth>window.innerWidth-8)left=e.clientX-tip.offsetWidth-14;
tip.style.left=left+'px';tip.style.top=(e.clientY+12)+'px';});
svg.addEventListener('mouseleave',function(){tip.style.display='none';cursor.setAttribute('visibility','hidden');});
});
document.documentElement.setAttribute('data-charts-drawn',String(drawn));
document.documentElement.setAttribute('data-js-errors',String(window.faultlineErrors.length));
document.documentElement.setAttribute('data-ready','1');
})();
)";

}  // namespace

std::string begin(const std::string& title) {
    std::string o = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    o += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "script-src 'unsafe-inline'; img-src data:\">\n";
    o += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    o += "<meta name=\"generator\" content=\"faultline " FAULTLINE_VERSION "\">\n";
    o += "<title>" + html(title) + "</title>\n<style>" + std::string(css) + "</style>\n";
    o += "<script>" + std::string(head_script) + "</script>\n</head>\n<body>\n<main>\n";
    return o;
}

std::string end(const std::string& chart_data) {
    std::string o = "<footer>Made by faultline " FAULTLINE_VERSION
                    " from a deterministic run: the same scenario, options and seed give this report byte for byte. "
                    "Hover over a chart to read its values.</footer>\n</main>\n";
    o += "<script type=\"application/json\" id=\"chart-data\">" + chart_data + "</script>\n";
    o += "<script>" + std::string(body_script) + "</script>\n</body>\n</html>\n";
    return o;
}

std::string verdict_badge(const std::string& verdict) {
    std::string cls = verdict == "not judged" ? "notjudged" : verdict;
    return "<span class=\"verdict " + html(cls) + "\">" + html(upper_case(verdict)) + "</span>";
}

std::string paragraph(const std::string& text) {
    std::string o = "<p>";
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && i + 1 < text.size() && text[i + 1] == '\n') {
            o += "</p><p>";
            ++i;
        } else {
            o += html(std::string_view(&text[i], 1));
        }
    }
    return o + "</p>";
}

std::string charts(const std::vector<Panel>& panels, std::string& chart_data) {
    std::string o;
    std::string group;
    bool open = false;
    for (const Panel& p : panels) {
        if (p.group != group || !open) {
            if (open) o += "</div>\n";
            group = p.group;
            o += "<h3>" + html(group) + "</h3>\n<div class=\"charts\">\n";
            open = true;
        }
        o += "<div class=\"chartbox\">" + render_svg(p.chart) + "</div>\n";
        chart_data += (chart_data.size() > 1 ? "," : "") + chart_data_json(p.chart);
    }
    if (open) o += "</div>\n";
    return o;
}

std::string faults_table(const RunRecord& r) {
    if (r.faults.empty()) return "<p class=\"sub\">No faults were injected.</p>\n";
    std::string o = "<table><tr><th>at</th><th>for</th><th>kind</th><th>targets</th><th>parameters</th></tr>\n";
    for (const FaultRecord& f : r.faults) {
        std::string targets, params;
        for (const std::string& t : f.targets) targets += (targets.empty() ? "" : ", ") + t;
        for (const auto& [k, v] : f.params) params += (params.empty() ? "" : ", ") + k + "=" + v;
        o += "<tr><td class=\"num\">" + html(format_time(f.at_s)) + "</td><td class=\"num\">" +
             html(f.duration_s ? format_time(*f.duration_s) : std::string("instant")) + "</td><td>" + html(f.kind) +
             "</td><td>" + html(targets) + "</td><td>" + html(params) + "</td></tr>\n";
    }
    return o + "</table>\n";
}

std::string measurements_table(const RunRecord& r) {
    if (r.measurements.empty()) return "<p class=\"sub\">No measurements.</p>\n";
    std::string o = "<table><tr><th>measurement</th><th>value</th><th>note</th></tr>\n";
    for (const Measurement& m : r.measurements) {
        o += "<tr><td><code>" + html(m.name) + "</code></td><td class=\"num\">" +
             html(format_measurement(m.value)) + "</td><td>" +
             html(m.note) + "</td></tr>\n";
    }
    return o + "</table>\n";
}

std::string options_section(const RunRecord& r) {
    std::string o;
    if (!r.variant.empty()) {
        o += "<p>Variant <code>" + html(r.variant) + "</code>" +
             (r.variant_description.empty() ? "" : ": " + html(r.variant_description)) + "</p>\n";
    }
    if (!r.overrides.empty()) {
        o += "<table><tr><th>set on the command line</th><th>value</th></tr>\n";
        for (const Override& ov : r.overrides) {
            o += "<tr><td><code>" + html(ov.path) + "</code></td><td><code>" + html(ov.value) + "</code></td></tr>\n";
        }
        o += "</table>\n";
    }
    if (r.options.empty()) return o;
    o += "<details><summary>All " + std::to_string(r.options.size()) +
         " effective options (the paths are what <code>--set</code> and <code>sweep --grid</code> take)</summary>\n";
    o += "<table><tr><th>option</th><th>value</th><th>meaning</th></tr>\n";
    for (const FieldInfo& f : r.options) {
        o += "<tr><td><code>" + html(f.path) + "</code></td><td><code>" + html(f.value.empty() ? "(unset)" : f.value) +
             "</code></td><td>" + html(f.help) + "</td></tr>\n";
    }
    return o + "</table></details>\n";
}

std::string coverage_section(const RunRecord& r) {
    if (r.coverage.empty()) return "";
    std::string o = "<details><summary>Coverage marks reached (" + std::to_string(r.coverage.size()) + ")</summary>\n";
    o += "<table><tr><th>mark</th><th>times reached</th></tr>\n";
    for (const auto& [mark, count] : r.coverage) {
        o += "<tr><td><code>" + html(mark) + "</code></td><td class=\"num\">" +
             html(thousands(static_cast<double>(count))) + "</td></tr>\n";
    }
    return o + "</table></details>\n";
}

}  // namespace faultline::report::page
