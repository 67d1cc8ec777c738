# ruff: noqa: E501
"""Outpatient: an office visit documents "possible UTI" with the culture pending, and nothing follows."""

VISIT = """\
OFFICE VISIT - Internal Medicine

Chief complaint: burning with urination.

History of present illness: 53-year-old woman with hypertension and hypothyroidism who reports three days of burning with urination, urinary frequency and a feeling of incomplete emptying. No fever, chills, back or flank pain, nausea, or visible blood in the urine. She has been postmenopausal for two years and has noticed some vaginal dryness. No new sexual partners, no vaginal discharge. She last had a bladder infection in her thirties. Cranberry juice for two days has not helped.

Past medical history: hypertension; hypothyroidism; migraine without aura. No history of diabetes or kidney stones.
Medications: lisinopril 10 mg daily, levothyroxine 100 mcg daily, sumatriptan as needed.
Allergies: sulfonamide antibiotics (hives).
Family history: mother with hypertension and breast cancer; father with prostate cancer.
Social history: high school teacher, married, never smoker, a glass of wine on weekends.
Review of systems: as in the HPI; otherwise negative, including no abdominal pain, no rash and no joint pain.

Vitals: T 36.8 C, HR 74, BP 128/80, RR 14.
Exam: well appearing, in no distress. Abdomen soft with mild suprapubic tenderness; no costovertebral angle tenderness on either side. External genitalia with mild atrophic changes, no lesions.

Data: point-of-care urine dipstick - leukocyte esterase 1+, nitrite negative, blood trace, protein negative, glucose negative. Clean-catch urine sent for culture.

Assessment and plan:
1. Possible UTI - dysuria and frequency with leukocyte esterase on the dipstick; atrophic urethritis is also in the differential. Urine culture pending. Start cephalexin 500 mg twice daily for 5 days (sulfa allergy) and adjust to the culture result. Phenazopyridine 200 mg three times daily for 2 days.
2. Genitourinary symptoms of menopause - discuss vaginal estrogen at follow-up if the symptoms persist.
3. Hypertension - at goal; continue lisinopril.
4. Hypothyroidism - stable; TSH due in September.

Patient instructions: Take the antibiotic with food. Phenazopyridine turns the urine orange. Drink water through the day. Go to urgent care or call us the same day for fever, chills, back or side pain, or vomiting.
Follow-up: our office will call with the culture result; return in 2 weeks if not better.
"""

SAMPLE = {
    "id": "outpatient-possible-uti",
    "setting": "outpatient",
    "shows": 'Office visit (class AMB): "possible UTI" with dysuria, leukocyte esterase 1+ and the urine culture pending; no later note confirms or rules it out, and outpatient uncertain diagnoses are not coded. Diabetes is explicitly negated.',
    "patient": {
        "given": "Fenella",
        "family": "Uchida-Borowski",
        "gender": "female",
        "birth_date": "1972-12-05",
        "mrn": "FS-1006",
    },
    "practitioners": {
        "attending": {"given": "Mateus", "family": "Kowalczyk-Ansah", "suffix": "MD", "role": "attending"},
    },
    "attending": "attending",
    "period": ("2026-06-02T14:00:00Z", "2026-06-02T14:40:00Z"),
    "notes": [
        {
            "id": "visit",
            "type": "progress-note",
            "author": "attending",
            "date": "2026-06-02T14:40:00Z",
            "text": VISIT,
        },
    ],
    "conditions": [],
    "observations": [
        ("8310-5", 36.8, "2026-06-02T14:05:00Z"),
        ("8867-4", 74, "2026-06-02T14:05:00Z"),
        ("8480-6", 128, "2026-06-02T14:05:00Z"),
    ],
    "expected": [{"kind": "uncertain", "topic": "urinary_tract_infection"}],
    "not_expected": ["diabetes"],
}
