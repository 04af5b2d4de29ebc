use std::path::PathBuf;
fn main() {
    let dir = PathBuf::from("/work/shared/data/pan-no-obfuscation");
    let mut pairs: Vec<(String, String)> = std::fs::read_to_string(dir.join("pairs")).unwrap().lines().map(|l| { let mut i = l.split_whitespace(); (i.next().unwrap().to_string(), i.next().unwrap().to_string()) }).collect();
    pairs.sort();
    let cfg = ibid_align::AlignConfig::default();
    for (p, (s, r)) in pairs.iter().enumerate().take(125) {
        let st = std::fs::read_to_string(dir.join("susp").join(s)).unwrap();
        let sr = std::fs::read_to_string(dir.join("src").join(r)).unwrap();
        let truth = std::fs::read_to_string(dir.join("truth").join(format!("{}-{}.xml", s.trim_end_matches(".txt"), r.trim_end_matches(".txt")))).unwrap();
        let mut cases = vec![];
        for f in truth.split("<feature").skip(1) {
            let g = |k: &str| -> u32 { let at = f.find(&format!(" {k}=\"")).unwrap() + k.len() + 3; f[at..].split('"').next().unwrap().parse().unwrap() };
            cases.push(((g("this_offset"), g("this_offset") + g("this_length")), (g("source_offset"), g("source_offset") + g("source_length"))));
        }
        let dets = ibid_align::align_pair(&st, &sr, &cfg);
        let ov = |x: (u32, u32), y: (u32, u32)| x.0 < y.1 && y.0 < x.1;
        let cut = |t: &str, s: (u32, u32)| -> String { t.chars().skip(s.0 as usize).take((s.1 - s.0).min(150) as usize).collect::<String>().replace('\n', " ") };
        for d in &dets {
            let hit = cases.iter().find(|c| ov(c.0, d.0) && ov(c.1, d.1));
            match hit {
                None => println!("{p} FP det {:?} {:?} sim {:.2} len {} | {}", d.0, d.1, d.2, d.0.1 - d.0.0, cut(&st, d.0)),
                Some(c) => { let dstart = d.0.0 as i64 - c.0.0 as i64; let dend = d.0.1 as i64 - c.0.1 as i64; if dstart.abs() > 20 || dend.abs() > 20 { println!("{p} PART case {:?} det {:?} (start {dstart:+} end {dend:+}) src case {:?} det {:?}", c.0, d.0, c.1, d.1); } }
            }
        }
        for c in &cases {
            if !dets.iter().any(|d| ov(c.0, d.0) && ov(c.1, d.1)) {
                println!("{p} MISS case {:?} len {} | {}", c.0, c.0.1 - c.0.0, cut(&st, c.0));
                println!("      src {:?} | {}", c.1, cut(&sr, c.1));
            }
        }
    }
}
